"""Similar complaints (issue 6 point 5, groundwork for R-LE-3): for each case, the most similar
recent cases of other customers, and this customer's earlier cases about the same thing.

Each case's text (subject and first customer message) becomes a MinHash signature, computed
off the request path by a drain that intake kicks; LSH band keys in the database find the
candidates, and the signatures rank them. docs/subsystems/similar.md says how and how fast.

Depends on core and on cases (its models and `cases_visible_to`); cases' intake calls
`services.fingerprints_queue`, the desk calls `selectors.similar_panel`.
"""
