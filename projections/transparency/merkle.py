"""RFC 6962 / RFC 9162 Merkle tree maths over SHA-256.

Hashing (RFC 9162 §2.1.1): a leaf is ``SHA-256(0x00 || input)``, an interior node
``SHA-256(0x01 || left || right)``, the empty tree ``SHA-256("")``. The tree over n leaves
splits at the largest power of two k < n, so it is left-full and never duplicates a node.

**Node addressing.** A *perfect* subtree is addressed by ``(level, index)``: it covers the
leaves ``[index · 2**level, (index + 1) · 2**level)``; level 0 holds the leaf hashes. Once
complete, a perfect subtree never changes, so a node store keeps only perfect nodes. Every
other hash the RFC needs — the root, the incomplete subtrees along the right border —
covers a range ``[a, b)`` with ``a`` a multiple of the largest power of two ≤ ``b − a``; it
is the right-to-left fold of the perfect subtrees given by the binary digits of
``b − a`` (largest first), because RFC 9162 splits such a range at exactly that piece.

**Proof generation** (RFC 9162 §2.1.3.1 PATH, §2.1.4.1 PROOF) first computes a
:class:`ProofPlan` — which perfect nodes each proof hash is folded from, O(log n) of them —
then fetches all of them in **one** :meth:`NodeReader.get_nodes` call and assembles.

**The appender** (:func:`append_leaves`) keeps the *frontier* (the compact range
``[0, size)``: the roots of the perfect subtrees of the binary digits of ``size``) and
appends a batch of leaf hashes, returning every new perfect node to store and the new root.

**Verification** follows RFC 9162 §2.1.3.2 and §2.1.4.2 literally, with the edge rules of
transparency-dev ``proof/verify.go`` made strict: every hash must be 32 bytes, a
consistency proof from size 0 is refused, equal sizes need an empty proof and equal roots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

#: ``(level, index)`` of a perfect subtree: leaves ``[index · 2**level, (index + 1) · 2**level)``
NodeKey = tuple[int, int]
#: a perfect node to store: ``(level, index, hash)``
Node = tuple[int, int, bytes]

#: MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1) — not the hash of an empty leaf
EMPTY_ROOT = hashlib.sha256(b"").digest()


def hash_leaf(leaf_input: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d) — RFC 9162 §2.1.1."""
    return hashlib.sha256(LEAF_PREFIX + leaf_input).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right) — RFC 9162 §2.1.1."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """k, the largest power of two strictly less than n (n ≥ 2), so that k < n ≤ 2k."""
    if n < 2:
        raise ValueError(f"a tree of {n} leaves does not split")
    return 1 << ((n - 1).bit_length() - 1)


def is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


# --------------------------------------------------------------------------- addressing


def range_keys(start: int, end: int) -> tuple[NodeKey, ...]:
    """The perfect subtrees whose right-to-left fold is MTH(D[start:end]), largest first.

    Valid for the ranges RFC 9162 hashes: the whole tree and the right-border subtrees,
    i.e. ``start`` is a multiple of the largest power of two ≤ ``end − start``.
    """
    width = end - start
    if start < 0 or width <= 0:
        raise ValueError(f"empty or negative leaf range [{start}, {end})")
    top = 1 << (width.bit_length() - 1)
    if start % top:
        raise ValueError(f"leaf range [{start}, {end}) is not a subtree of an RFC 9162 tree")
    keys: list[NodeKey] = []
    offset = start
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            keys.append((level, offset >> level))
            offset += 1 << level
    return tuple(keys)


def node_range(key: NodeKey) -> tuple[int, int]:
    """The leaves ``[start, end)`` a perfect node covers."""
    level, index = key
    return index << level, (index + 1) << level


def fold(hashes: Sequence[bytes]) -> bytes:
    """Combine perfect-subtree roots (largest, leftmost first) right to left into one hash."""
    if not hashes:
        raise ValueError("nothing to fold")
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = hash_children(left, result)
    return result


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (EMPTY_ROOT for none)."""
    return append_leaves(Frontier.empty(), leaf_hashes, keep_nodes=False).root


# --------------------------------------------------------------------------- node store


class MissingNodes(LookupError):
    """The node store lacks perfect nodes a proof needs (the tree is smaller than asked)."""

    def __init__(self, keys: Collection[NodeKey]) -> None:
        self.keys = sorted(keys)
        shown = ", ".join(f"({level}, {index})" for level, index in self.keys[:8])
        more = f" and {len(self.keys) - 8} more" if len(self.keys) > 8 else ""
        super().__init__(f"node store lacks perfect nodes {shown}{more}")


class NodeReader(Protocol):
    """Where perfect nodes are read from (the tree projection's table, or memory in tests).

    ``get_nodes`` returns the hash of every requested ``(level, index)`` it holds; proof
    generation calls it exactly once per proof (or per batch of proofs).
    """

    def get_nodes(self, keys: Collection[NodeKey]) -> Mapping[NodeKey, bytes]: ...


@dataclass
class MemoryTree:
    """An in-memory log tree: a node store plus its frontier. For tests and small tools."""

    nodes: dict[NodeKey, bytes] = field(default_factory=dict)
    frontier: Frontier = field(default_factory=lambda: Frontier.empty())
    #: how many times :meth:`get_nodes` was called (proof generation must call it once)
    reads: int = 0

    @classmethod
    def of(cls, leaf_hashes: Iterable[bytes]) -> MemoryTree:
        tree = cls()
        tree.append(leaf_hashes)
        return tree

    @property
    def size(self) -> int:
        return self.frontier.size

    @property
    def root(self) -> bytes:
        return self.frontier.root

    def append(self, leaf_hashes: Iterable[bytes]) -> Appended:
        appended = append_leaves(self.frontier, leaf_hashes)
        self.nodes.update(((level, index), digest) for level, index, digest in appended.nodes)
        self.frontier = appended.frontier
        return appended

    def get_nodes(self, keys: Collection[NodeKey]) -> dict[NodeKey, bytes]:
        self.reads += 1
        return {key: self.nodes[key] for key in keys if key in self.nodes}


def fetch(reader: NodeReader, keys: Collection[NodeKey]) -> Mapping[NodeKey, bytes]:
    """One read of ``keys``, refusing an answer that lacks any of them or is malformed."""
    wanted = set(keys)
    got = reader.get_nodes(wanted) if wanted else {}
    missing = wanted - got.keys()
    if missing:
        raise MissingNodes(missing)
    for key in wanted:
        if len(got[key]) != HASH_SIZE:
            raise ValueError(f"node store holds a {len(got[key])}-byte hash at {key}")
    return got


# --------------------------------------------------------------------------- the appender


@dataclass(frozen=True)
class Frontier:
    """The compact range ``[0, size)``: perfect-subtree roots for the binary digits of size.

    ``hashes[i]`` is the node :meth:`node_keys` ``[i]``, largest (leftmost) first. It is all the
    appender needs to extend the tree, and all a projection must reload after a restart.
    """

    size: int
    hashes: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValueError("a tree size is never negative")
        if len(self.hashes) != self.size.bit_count():
            raise ValueError(f"a tree of {self.size} leaves has {self.size.bit_count()} frontier hashes")
        for digest in self.hashes:
            _check_hash(digest, "frontier hash", ValueError)

    @classmethod
    def empty(cls) -> Frontier:
        return cls(0, ())

    @staticmethod
    def keys_for(size: int) -> tuple[NodeKey, ...]:
        return range_keys(0, size) if size else ()

    def node_keys(self) -> tuple[NodeKey, ...]:
        return self.keys_for(self.size)

    @classmethod
    def load(cls, reader: NodeReader, size: int) -> Frontier:
        """The frontier of a stored tree of ``size`` leaves, in one read."""
        keys = cls.keys_for(size)
        nodes = fetch(reader, keys)
        return cls(size, tuple(nodes[key] for key in keys))

    @property
    def root(self) -> bytes:
        return fold(self.hashes) if self.hashes else EMPTY_ROOT


@dataclass(frozen=True)
class Appended:
    """What :func:`append_leaves` did: the new frontier and the perfect nodes to store."""

    frontier: Frontier
    #: every perfect node completed by the batch, ``(level, index, hash)``, leaves included,
    #: in the order they completed (a node always after its children)
    nodes: list[Node]

    @property
    def size(self) -> int:
        return self.frontier.size

    @property
    def root(self) -> bytes:
        return self.frontier.root


def append_leaves(frontier: Frontier, leaf_hashes: Iterable[bytes], *, keep_nodes: bool = True) -> Appended:
    """Append leaf hashes to the tree whose compact range is ``frontier``.

    Each leaf completes the perfect subtrees it closes: while the two rightmost frontier
    entries have the same level they merge into their parent (binary-counter carry).
    """
    levels = [level for level, _ in frontier.node_keys()]
    stack = list(frontier.hashes)
    size = frontier.size
    nodes: list[Node] = []
    for digest in leaf_hashes:
        _check_hash(digest, f"leaf hash {size}", ValueError)
        level = 0
        if keep_nodes:
            nodes.append((0, size, digest))
        while levels and levels[-1] == level:
            levels.pop()
            digest = hash_children(stack.pop(), digest)
            level += 1
            if keep_nodes:
                nodes.append((level, size >> level, digest))
        levels.append(level)
        stack.append(digest)
        size += 1
    return Appended(Frontier(size, tuple(stack)), nodes)


# --------------------------------------------------------------------------- proof generation


@dataclass(frozen=True)
class ProofPlan:
    """Which perfect nodes each hash of a proof is folded from, in proof order."""

    parts: tuple[tuple[NodeKey, ...], ...]

    @property
    def keys(self) -> frozenset[NodeKey]:
        return frozenset(key for part in self.parts for key in part)

    def assemble(self, nodes: Mapping[NodeKey, bytes]) -> list[bytes]:
        return [fold([nodes[key] for key in part]) for part in self.parts]


def inclusion_plan(index: int, size: int) -> ProofPlan:
    """PATH(index, D[size]) — RFC 9162 §2.1.3.1, leaf-to-root order.

    Walking down from the root, the sibling of the subtree holding the leaf is either the
    left half (always perfect) or the right part (a right-border range).
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    parts: list[tuple[NodeKey, ...]] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            parts.append(range_keys(start + k, end))
            end = start + k
        else:
            parts.append(range_keys(start, start + k))
            start += k
    parts.reverse()
    return ProofPlan(tuple(parts))


def consistency_plan(first: int, second: int) -> ProofPlan:
    """PROOF(first, D[second]) = SUBPROOF(first, D[second], true) — RFC 9162 §2.1.4.1.

    Equal sizes give the empty proof; a proof from the empty tree is meaningless.
    """
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    parts: list[tuple[NodeKey, ...]] = []
    start, m, n, whole = 0, first, second, True
    while m != n:
        k = split_point(n)
        if m <= k:
            parts.append(range_keys(start + k, start + n))
            n = k
        else:
            parts.append(range_keys(start, start + k))
            start, m, n, whole = start + k, m - k, n - k, False
    # SUBPROOF(m, D[m], false) = {MTH(D[m])}: D[m] is then a perfect subtree (n became k)
    if not whole:
        parts.append(range_keys(start, start + m))
    parts.reverse()
    return ProofPlan(tuple(parts))


def root_plan(size: int) -> ProofPlan:
    """MTH(D[size]) as a one-hash plan (empty for size 0: use EMPTY_ROOT)."""
    if size < 0:
        raise ValueError("a tree size is never negative")
    return ProofPlan((range_keys(0, size),) if size else ())


def prove(reader: NodeReader, plans: Sequence[ProofPlan]) -> list[list[bytes]]:
    """Assemble several proofs from one read of the node store."""
    nodes = fetch(reader, frozenset().union(*(plan.keys for plan in plans)))
    return [plan.assemble(nodes) for plan in plans]


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    return prove(reader, [inclusion_plan(index, size)])[0]


def consistency_proof(reader: NodeReader, first: int, second: int) -> list[bytes]:
    return prove(reader, [consistency_plan(first, second)])[0]


def root_hash(reader: NodeReader, size: int) -> bytes:
    """The root of the first ``size`` leaves of a stored tree (any stored size ≥ size)."""
    hashes = prove(reader, [root_plan(size)])[0]
    return hashes[0] if hashes else EMPTY_ROOT


# --------------------------------------------------------------------------- verification


class ProofError(ValueError):
    """A proof that does not verify, or is malformed."""


def _check_hash(value: bytes, what: str, error: type[ValueError] = ProofError) -> None:
    # ANCHORS §4.7: without a length check an empty "hash" can equal an empty "root"
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        length = len(value) if isinstance(value, bytes) else type(value).__name__
        raise error(f"{what} is not a {HASH_SIZE}-byte hash ({length})")


def root_from_inclusion_proof(index: int, size: int, leaf_hash: bytes, path: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to — RFC 9162 §2.1.3.2 steps 1–4 (without the compare)."""
    _check_hash(leaf_hash, "leaf hash")
    for n, p in enumerate(path):
        _check_hash(p, f"inclusion path hash {n}")
    if size <= 0 or not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            raise ProofError(f"inclusion path is too long ({len(path)} hashes) for leaf {index} of {size}")
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            # step 3b: a right-border node with no right sibling rises without hashing
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hash_children(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion path is too short ({len(path)} hashes) for leaf {index} of {size}")
    return r


def verify_inclusion(index: int, size: int, leaf_hash: bytes, path: Sequence[bytes], root: bytes) -> None:
    """Raise :class:`ProofError` unless ``path`` proves leaf ``index`` in the tree ``(size, root)``."""
    _check_hash(root, "root hash")
    if root_from_inclusion_proof(index, size, leaf_hash, path) != root:
        raise ProofError(f"inclusion proof for leaf {index} does not lead to the root of tree size {size}")


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows tree ``first`` is a prefix of tree ``second``.

    RFC 9162 §2.1.4.2, plus: hashes must be 32 bytes; ``first == 0`` is refused (ANCHORS
    §4.4); ``first == second`` needs an empty proof and equal roots.
    """
    _check_hash(first_root, "first root hash")
    _check_hash(second_root, "second root hash")
    for n, c in enumerate(proof):
        _check_hash(c, f"consistency proof hash {n}")
    if first <= 0:
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if second < first:
        raise ProofError(f"second tree size {second} is smaller than the first {first}")
    if first == second:
        if proof:
            raise ProofError("equal tree sizes need an empty consistency proof")
        if first_root != second_root:
            raise ProofError(f"two different roots for the same tree size {first}")
        return
    if not proof:
        raise ProofError("empty consistency proof for different tree sizes")
    path = list(proof)
    # step 2: when the first tree is a perfect subtree its root is the proof's implicit start
    if is_power_of_two(first):
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof {first} → {second} is too long ({len(proof)} hashes)")
        if fn & 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = hash_children(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof {first} → {second} is too short ({len(proof)} hashes)")
    if fr != first_root:
        raise ProofError(f"consistency proof {first} → {second} does not lead to the first root")
    if sr != second_root:
        raise ProofError(f"consistency proof {first} → {second} does not lead to the second root")
