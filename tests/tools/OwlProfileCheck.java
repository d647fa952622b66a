// OWL 2 DL profile check with the OWL API that owlready2 ships (in its pellet folder).
// Usage: java -cp <owlapi jar>:<classes> OwlProfileCheck FILE...   (RDF/XML or Turtle files)
// Prints one line per violation, "<file>\t<violation>", and exits 1 when there is any.
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlProfileCheck {
    public static void main(String[] args) throws Exception {
        int violations = 0;
        for (String path : args) {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(path));
            OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
            for (OWLProfileViolation violation : report.getViolations()) {
                System.out.println(path + "\t" + violation.toString().replace('\n', ' '));
                violations++;
            }
        }
        System.exit(violations == 0 ? 0 : 1);
    }
}
