# The fixed block of tests/unit/test_block.c (test_golden_hash), computed
# independently of the C code: hashlib BLAKE2b and pyca/cryptography
# Ed25519 (RFC 8032 signatures are deterministic, so libsodium agrees).
# Run: python3 tests/data/golden_block.py
import hashlib, struct
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization
def b2(x): return hashlib.blake2b(x, digest_size=32).digest()
def key(seed, label):
    s = b2(b"aitbc-key" + struct.pack('<Q', seed) + label.encode())
    sk = Ed25519PrivateKey.from_private_bytes(s)
    pk = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sk, pk
CHAIN=1
accounts=[key(1, f"account/{i}") for i in range(3)]
def tx(i):
    sk, pk = accounts[i]
    gas = 16357
    body = bytes([2]) + struct.pack('<Q', CHAIN) + pk + struct.pack('<QQQQ', 0, gas, 2000+i, 1) + struct.pack('<H', 1)
    body += bytes([1]) + struct.pack('<IQ', (i+1)%3, 100+i)
    sig = sk.sign(b2(b"aitbc-tx2" + body))
    return body + sig
txs=[tx(i) for i in range(3)]
ids=[b2(t) for t in txs]
def merkle(l):
    while len(l) > 1:
        l=[b2(l[i] + (l[i+1] if i+1 < len(l) else l[i])) for i in range(0,len(l),2)]
    return l[0]
root=merkle(ids)
def header(ext):
    h = struct.pack('<QQ', 5, 9) + b'\x11'*32 + struct.pack('<Iq', 0, 4500000000) + root + b'\x22'*32
    h += (b2(ext) if ext else b'\x00'*32) + struct.pack('<I', 3) + struct.pack('<QQQ', 0, 0, 0)
    assert len(h) == 184
    return b2(h)
print("tx_root", root.hex())
print("hash", header(None).hex())
print("hash_ext", header(b"ext").hex())
