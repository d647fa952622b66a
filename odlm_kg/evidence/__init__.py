"""The evidence layer: the three kinds of evidence the graph answers from, and the cube that joins them.

- :mod:`odlm_kg.evidence.findings`: findings published in the literature, as claims and as the
  numbers the works print;
- :mod:`odlm_kg.evidence.survey_demo`: the SYNTHETIC demo survey (generated, not real responses);
- :mod:`odlm_kg.evidence.crawl_sample`: the hand-curated crawl sample (31 records, not a sample of
  any platform's population);
- :mod:`odlm_kg.evidence.cube`: the comparison cube, one RDF Data Cube whose observations every
  comparative named query reads.
"""
