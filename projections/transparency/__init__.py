"""The transparency log: every stored event is a leaf of an RFC 9162 Merkle tree.

- ``jcs``: RFC 8785 canonical JSON (the leaf encoding),
- ``leaf``: the leaf input of a stored event,
- ``merkle``: tree hashing, node addressing, the appender, proof generation and verification,
- ``keys`` and ``note``: Ed25519 keys and C2SP signed notes / ``tlog-checkpoint``,
- ``bundle``: ``c2sp.org/tlog-proof@v1`` bundles and the receipts handed to an appellant.

``docs/ledger-format.md`` documents every byte; ``scripts/verify_ledger.py`` checks them
without this package.
"""
