"""RFC 6962 / 9162 tree maths: the published vectors, the pitfalls of ANCHORS §4.7, and
cross-checks against the RFC's recursive definition and an independent implementation."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator, Sequence

import pytest
from pymerkle import InmemoryTree

from projections.transparency.merkle import (
    EMPTY_ROOT,
    Frontier,
    MemoryTree,
    MissingNodes,
    ProofError,
    append_leaves,
    consistency_plan,
    consistency_proof,
    hash_children,
    hash_leaf,
    inclusion_plan,
    inclusion_proof,
    node_range,
    prove,
    range_keys,
    root_from_inclusion_proof,
    root_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from tests.transparency import reference

# ANCHORS §4.6: transparency-dev/merkle testonly/constants.go (same leaves as Trillian)
LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
LEAF_HASHES = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    )
]
INTERIOR = {
    (1, 0): "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    (1, 1): "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    (1, 2): "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    (1, 3): "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    (2, 0): "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    (2, 1): "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    (3, 0): "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]


def h(key: tuple[int, int]) -> bytes:
    return LEAF_HASHES[key[1]] if key[0] == 0 else bytes.fromhex(INTERIOR[key])


# 0-based indexes (cmd/proofgen lists them 1-based: {1,8},{6,8},{3,3},{2,5})
INCLUSION_VECTORS = [
    (0, 8, [h((0, 1)), h((1, 1)), h((2, 1))]),
    (5, 8, [h((0, 4)), h((1, 3)), h((2, 0))]),
    (2, 3, [h((1, 0))]),
    (1, 5, [h((0, 0)), h((1, 1)), h((0, 4))]),
]
CONSISTENCY_VECTORS = [
    (1, 8, [h((0, 1)), h((1, 1)), h((2, 1))]),
    (6, 8, [h((1, 2)), h((1, 3)), h((2, 0))]),
    (2, 5, [h((1, 1)), h((0, 4))]),
    (6, 7, [h((1, 2)), h((0, 6)), h((2, 0))]),
]


@pytest.fixture
def tree8() -> MemoryTree:
    return MemoryTree.of(LEAF_HASHES)


def leaves(n: int, seed: int = 0) -> list[bytes]:
    rng = random.Random(seed)
    return [hash_leaf(rng.randbytes(rng.randrange(0, 40))) for _ in range(n)]


# --------------------------------------------------------------------------- hashing


def test_hasher_spot_checks() -> None:
    assert hash_leaf(b"L123456").hex() == "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    assert hash_children(b"N123", b"N456").hex() == "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert hash_leaf(b"") != EMPTY_ROOT, "an empty leaf is not the empty tree"


def test_leaf_hashes_and_roots_of_the_eight_leaf_vectors() -> None:
    assert [hash_leaf(d) for d in LEAF_INPUTS] == LEAF_HASHES
    for n, root in enumerate(ROOTS):
        assert root_of(LEAF_HASHES[:n]) == root, f"root of {n} leaves"


def test_interior_nodes_are_addressed_by_level_and_index(tree8: MemoryTree) -> None:
    for key, digest in INTERIOR.items():
        assert tree8.nodes[key].hex() == digest
    assert node_range((2, 1)) == (4, 8)
    assert len(tree8.nodes) == 15, "8 leaves + 4 + 2 + 1 perfect nodes"


def test_ranges_decompose_into_perfect_subtrees_largest_first() -> None:
    assert range_keys(0, 7) == ((2, 0), (1, 2), (0, 6))
    assert range_keys(8, 13) == ((2, 2), (0, 12))
    assert range_keys(4, 8) == ((2, 1),)
    with pytest.raises(ValueError, match="not a subtree"):
        range_keys(2, 7)


# --------------------------------------------------------------------------- generation


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION_VECTORS)
def test_inclusion_proof_vectors(tree8: MemoryTree, index: int, size: int, expected: list[bytes]) -> None:
    assert inclusion_proof(tree8, index, size) == expected
    verify_inclusion(index, size, LEAF_HASHES[index], expected, ROOTS[size])


@pytest.mark.parametrize(("first", "second", "expected"), CONSISTENCY_VECTORS)
def test_consistency_proof_vectors(tree8: MemoryTree, first: int, second: int, expected: list[bytes]) -> None:
    assert consistency_proof(tree8, first, second) == expected
    verify_consistency(first, second, ROOTS[first], ROOTS[second], expected)


def test_equal_sizes_have_an_empty_consistency_proof(tree8: MemoryTree) -> None:
    assert consistency_proof(tree8, 1, 1) == []
    verify_consistency(1, 1, ROOTS[1], ROOTS[1], [])
    with pytest.raises(ValueError, match="no consistency proof"):
        consistency_plan(0, 5)


def test_every_proof_of_small_trees_matches_the_rfc_definition() -> None:
    # exhaustive up to 40 leaves: every index and every pair of sizes, against the
    # recursive PATH / PROOF of RFC 9162 §2.1.3.1 and §2.1.4.1
    hashes = leaves(40)
    tree = MemoryTree.of(hashes)
    for n in range(1, 41):
        root = reference.mth(hashes[:n])
        assert root_hash(tree, n) == root
        for m in range(n):
            expected = reference.path(m, hashes[:n])
            assert inclusion_proof(tree, m, n) == expected, (m, n)
            verify_inclusion(m, n, hashes[m], expected, root)
        for m in range(1, n + 1):
            expected = reference.proof(m, hashes[:n])
            assert consistency_proof(tree, m, n) == expected, (m, n)
            verify_consistency(m, n, reference.mth(hashes[:m]), root, expected)


def test_a_proof_reads_the_node_store_once_and_only_o_log_n_nodes() -> None:
    tree = MemoryTree.of(leaves(1000))
    for index, size in [(0, 1000), (999, 1000), (500, 777), (511, 513)]:
        before = tree.reads
        plan = inclusion_plan(index, size)
        assert len(plan.keys) <= 2 * size.bit_length()
        inclusion_proof(tree, index, size)
        assert tree.reads == before + 1
    before = tree.reads
    consistency_proof(tree, 333, 999)
    root_hash(tree, 999)
    assert tree.reads == before + 2
    before = tree.reads
    proofs = prove(tree, [inclusion_plan(i, 1000) for i in range(0, 1000, 37)])
    assert tree.reads == before + 1 and len(proofs) == 28


def test_proofs_for_an_older_tree_size_come_from_the_current_store() -> None:
    # the store only ever grows; proofs against any earlier checkpoint stay available
    hashes = leaves(300, seed=3)
    tree = MemoryTree.of(hashes)
    assert inclusion_proof(tree, 17, 37) == reference.path(17, hashes[:37])
    assert consistency_proof(tree, 37, 129) == reference.proof(37, hashes[:129])


def test_a_store_missing_nodes_is_reported_not_guessed() -> None:
    tree = MemoryTree.of(leaves(10))
    with pytest.raises(MissingNodes, match=r"\(0, 10\)"):
        inclusion_proof(tree, 3, 11)


# --------------------------------------------------------------------------- the appender


def test_appending_in_any_batches_gives_the_same_nodes_and_roots() -> None:
    hashes = leaves(700, seed=5)
    whole = MemoryTree.of(hashes)
    assert whole.root == reference.mth(hashes)
    rng = random.Random(11)
    for _ in range(25):
        tree = MemoryTree()
        done = 0
        while done < len(hashes):
            batch = rng.choice([1, 1, 2, 3, 7, 8, 64, rng.randrange(1, 200)])
            appended = tree.append(hashes[done : done + batch])
            done = min(len(hashes), done + batch)
            assert appended.size == done
            assert appended.root == root_of(hashes[:done])
        assert tree.nodes == whole.nodes


def test_batches_of_thousands_of_leaves_agree_with_pymerkle() -> None:
    rng = random.Random(13)
    inputs = [rng.randbytes(16) for _ in range(20_000)]
    theirs = InmemoryTree.init_from_entries(inputs, algorithm="sha256")
    tree = MemoryTree()
    for start in range(0, len(inputs), 4_999):
        appended = tree.append(hash_leaf(d) for d in inputs[start : start + 4_999])
        assert appended.root == theirs.get_root(appended.size)
    assert len(tree.nodes) == 2 * 20_000 - (20_000).bit_count()


def test_the_appender_returns_exactly_the_new_perfect_nodes() -> None:
    appended = append_leaves(Frontier.empty(), LEAF_HASHES[:3])
    assert [(level, index) for level, index, _ in appended.nodes] == [(0, 0), (0, 1), (1, 0), (0, 2)]
    more = append_leaves(appended.frontier, LEAF_HASHES[3:8])
    assert [(level, index) for level, index, _ in more.nodes] == [
        (0, 3), (1, 1), (2, 0), (0, 4), (0, 5), (1, 2), (0, 6), (0, 7), (1, 3), (2, 1), (3, 0),
    ]  # fmt: skip
    assert more.root == ROOTS[8] and more.frontier.hashes == (ROOTS[8],)
    assert append_leaves(more.frontier, []).nodes == []


def test_the_frontier_reloads_from_the_store_in_one_read() -> None:
    hashes = leaves(1234, seed=8)
    tree = MemoryTree.of(hashes)
    for size in (0, 1, 2, 3, 1023, 1024, 1025, 1234):
        before = tree.reads
        frontier = Frontier.load(tree, size)
        assert tree.reads - before == (1 if size else 0)
        assert frontier.root == reference.mth(hashes[:size]) if size < 80 else frontier.root == root_of(hashes[:size])
        continued = append_leaves(frontier, hashes[size:])
        assert continued.root == tree.root


def test_the_frontier_refuses_a_wrong_shape() -> None:
    with pytest.raises(ValueError, match="frontier hashes"):
        Frontier(3, (EMPTY_ROOT,))
    with pytest.raises(ValueError, match="32-byte"):
        append_leaves(Frontier.empty(), [b"short"])


# --------------------------------------------------------------------------- cross-check: pymerkle


def test_pymerkle_hashes_as_rfc_6962() -> None:
    tree = InmemoryTree.init_from_entries(LEAF_INPUTS, algorithm="sha256")
    assert [tree.get_leaf(i + 1) for i in range(8)] == LEAF_HASHES
    assert [tree.get_root(n) for n in range(1, 9)] == ROOTS[1:]


def test_random_trees_agree_with_pymerkle() -> None:
    rng = random.Random(2026)
    for n in (1, 2, 3, 5, 17, 100, 255, 256, 257, 1000, 2048, 3001, 4097):
        inputs = [rng.randbytes(rng.randrange(0, 64)) for _ in range(n)]
        theirs = InmemoryTree.init_from_entries(inputs, algorithm="sha256")
        ours = MemoryTree.of(hash_leaf(d) for d in inputs)
        sizes = sorted({1, n, *(rng.randrange(1, n + 1) for _ in range(10))})
        for size in sizes:
            assert root_hash(ours, size) == theirs.get_root(size)
            for index in range(size) if size <= 64 else {0, size - 1, *(rng.randrange(size) for _ in range(30))}:
                # pymerkle's path starts with the leaf itself (1-based index)
                expected = theirs.prove_inclusion(index + 1, size).path[1:]
                assert inclusion_proof(ours, index, size) == expected, (index, size)
            # pymerkle's consistency paths are not RFC 9162's (it decomposes the first tree
            # down to single leaves), so check ours against its roots and against the RFC text
            for first in {1, size, *(rng.randrange(1, size + 1) for _ in range(15))}:
                proof = consistency_proof(ours, first, size)
                verify_consistency(first, size, theirs.get_root(first), theirs.get_root(size), proof)
                if size <= 300:
                    hashes = [theirs.get_leaf(i + 1) for i in range(size)]
                    assert proof == reference.proof(first, hashes), (first, size)


# --------------------------------------------------------------------------- verification pitfalls


def flip_bit(digest: bytes, bit: int) -> bytes:
    return digest[: bit // 8] + bytes([digest[bit // 8] ^ (1 << (bit % 8))]) + digest[bit // 8 + 1 :]


Check = Callable[[], object]


def inclusion_mutations(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> Iterator[tuple[str, Check]]:
    """transparency-dev testdata/inclusion's mutation families, each of which must fail.

    Not ``treeSize + 1``: a proof for (i, n) may also verify as (i, n + 1) against the *same*
    root when both trees have the same shape along the leaf's path (e.g. leaf 0 of 3 and of
    4). That is harmless — a signed checkpoint binds the size to the root — and is why a
    verifier must take the size from the checkpoint, never from the proof's sender.
    """
    garbage = hashlib.sha256(b"garbage").digest()

    def v(i: int = index, n: int = size, lf: bytes = leaf, p: Sequence[bytes] = path, r: bytes = root) -> Check:
        return lambda: verify_inclusion(i, n, lf, list(p), r)

    yield "wrong-leaf", v(lf=hashlib.sha256(b"WrongLeaf").digest())
    yield "leafIdx+1", v(i=index + 1)
    yield "leafIdx-1", v(i=index - 1)
    yield "leafIdx^2", v(i=index ^ 2)
    yield "treeSize*2", v(n=size * 2)
    yield "treeSize/2", v(n=size // 2)
    yield "empty-root", v(r=b"")
    yield "random-root", v(r=garbage)
    yield "preceding-garbage", v(p=[garbage, *path])
    yield "trailing-garbage", v(p=[*path, garbage])
    yield "preceding-root", v(p=[root, *path])
    yield "trailing-root", v(p=[*path, root])
    yield "short-hash", v(p=[digest[:31] for digest in path]) if path else v(lf=leaf[:31])
    for n in range(len(path)):
        yield f"modified-proof[{n}]-bit-3", v(p=[flip_bit(d, 3) if k == n else d for k, d in enumerate(path)])
        yield f"removed-component[{n}]", v(p=[d for k, d in enumerate(path) if k != n])
        yield f"inserted-component[{n}]", v(p=[*path[:n], garbage, *path[n:]])
    for bit in range(0, 256, 37):
        yield f"leaf-bit-{bit}", v(lf=flip_bit(leaf, bit))


def consistency_mutations(
    first: int, second: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> Iterator[tuple[str, Check]]:
    garbage = hashlib.sha256(b"garbage").digest()

    def v(m: int = first, n: int = second, r1: bytes = root1, r2: bytes = root2, p: Sequence[bytes] = proof) -> Check:
        return lambda: verify_consistency(m, n, r1, r2, list(p))

    yield "swapped-roots", v(r1=root2, r2=root1)
    yield "first-root-garbage", v(r1=garbage)
    yield "second-root-garbage", v(r2=garbage)
    yield "empty-roots", v(r1=b"", r2=b"")
    yield "size1+1", v(m=first + 1)
    yield "size1-1", v(m=first - 1)
    yield "size2*2", v(n=second * 2)
    yield "preceding-garbage", v(p=[garbage, *proof])
    yield "trailing-garbage", v(p=[*proof, garbage])
    yield "empty-proof", v(p=[])
    for n in range(len(proof)):
        yield f"modified-proof[{n}]-bit-3", v(p=[flip_bit(d, 3) if k == n else d for k, d in enumerate(proof)])
        yield f"removed-component[{n}]", v(p=[d for k, d in enumerate(proof) if k != n])
        yield f"truncated-hash[{n}]", v(p=[d[:31] if k == n else d for k, d in enumerate(proof)])


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION_VECTORS)
def test_every_mutation_of_an_inclusion_vector_fails(index: int, size: int, path: list[bytes]) -> None:
    for name, check in inclusion_mutations(index, size, LEAF_HASHES[index], path, ROOTS[size]):
        with pytest.raises(ProofError):
            check()
            pytest.fail(f"{name} verified")


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY_VECTORS)
def test_every_mutation_of_a_consistency_vector_fails(first: int, second: int, proof: list[bytes]) -> None:
    for name, check in consistency_mutations(first, second, ROOTS[first], ROOTS[second], proof):
        with pytest.raises(ProofError):
            check()
            pytest.fail(f"{name} verified")


def test_mutations_of_proofs_in_random_trees_fail() -> None:
    rng = random.Random(7)
    hashes = leaves(200, seed=7)
    tree = MemoryTree.of(hashes)
    for _ in range(60):
        size = rng.randrange(1, 201)
        index = rng.randrange(size)
        path = inclusion_proof(tree, index, size)
        root = root_hash(tree, size)
        verify_inclusion(index, size, hashes[index], path, root)
        for name, check in inclusion_mutations(index, size, hashes[index], path, root):
            with pytest.raises(ProofError):
                check()
                pytest.fail(f"{name} verified for leaf {index} of {size}")
        first = rng.randrange(1, size + 1)
        if first < size:
            proof = consistency_proof(tree, first, size)
            for name, check in consistency_mutations(first, size, root_hash(tree, first), root, proof):
                with pytest.raises(ProofError):
                    check()
                    pytest.fail(f"{name} verified for {first} → {size}")


def test_the_inclusion_inner_loop_is_needed() -> None:
    # ANCHORS §4.7: omitting "shift until LSB(fn) is set or fn == 0" breaks leaf 2 of 3
    # (a right-border leaf with no right sibling) and leaf 4 of 5; an inverted condition
    # never terminates — both are caught by these vectors
    assert root_from_inclusion_proof(2, 3, LEAF_HASHES[2], [h((1, 0))]) == ROOTS[3]
    path = inclusion_proof(MemoryTree.of(LEAF_HASHES), 4, 5)
    assert root_from_inclusion_proof(4, 5, LEAF_HASHES[4], path) == ROOTS[5]


def test_consistency_needs_the_first_root_prepended_for_powers_of_two() -> None:
    # ANCHORS §4.7: 1 → 8 and 2 → 5 fail without the prepend; 6 → 8 does not prepend
    verify_consistency(1, 8, ROOTS[1], ROOTS[8], CONSISTENCY_VECTORS[0][2])
    verify_consistency(2, 5, ROOTS[2], ROOTS[5], CONSISTENCY_VECTORS[2][2])
    with pytest.raises(ProofError):
        verify_consistency(2, 5, ROOTS[2], ROOTS[5], [ROOTS[2], *CONSISTENCY_VECTORS[2][2]])


def test_edge_rules() -> None:
    # hashes that are not 32 bytes: transparency-dev's empty-root-and-leaf probe
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(0, 1, b"", [], b"")
    verify_inclusion(0, 1, LEAF_HASHES[0], [], ROOTS[1])
    # index ≥ size, negative index, empty tree
    for index, size in [(8, 8), (9, 8), (-1, 8), (0, 0)]:
        with pytest.raises(ProofError, match="outside"):
            verify_inclusion(index, size, LEAF_HASHES[0], [], ROOTS[8])
    # a consistency proof from the empty tree is meaningless, even with an empty proof
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 8, EMPTY_ROOT, ROOTS[8], [])
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    # equal sizes: empty proof and equal roots; our deliberate deviation from
    # transparency-dev: 12-byte fake "roots" are refused even when equal
    verify_consistency(5, 5, ROOTS[5], ROOTS[5], [])
    with pytest.raises(ProofError, match="empty consistency proof"):
        verify_consistency(5, 5, ROOTS[5], ROOTS[5], [ROOTS[5]])
    with pytest.raises(ProofError, match="different roots"):
        verify_consistency(5, 5, ROOTS[5], ROOTS[6], [])
    with pytest.raises(ProofError, match="32-byte"):
        verify_consistency(1, 1, b"abcdefghijkl", b"abcdefghijkl", [])
    with pytest.raises(ProofError, match="smaller"):
        verify_consistency(8, 6, ROOTS[8], ROOTS[6], CONSISTENCY_VECTORS[1][2])
