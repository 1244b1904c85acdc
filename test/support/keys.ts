/**
 * Test-only RSA keys for a GitHub App.
 *
 * GitHub hands out App private keys as PKCS#1 PEM ("-----BEGIN RSA PRIVATE
 * KEY-----"), so that is the default. Probot 14 signs its JWT through
 * universal-github-app-jwt, which accepts PKCS#8 directly and converts PKCS#1
 * to PKCS#8 (lib/crypto-node.js `convertPrivateKey`); both formats work.
 *
 * Generating a 2048-bit key takes ~50–200 ms, so each format is generated at
 * most once per process (per vitest worker) and cached.
 */
import { generateKeyPairSync } from "node:crypto";

export type PrivateKeyFormat = "pkcs1" | "pkcs8";

interface KeyPair {
  privateKey: string;
  publicKey: string;
}

const cache = new Map<PrivateKeyFormat, KeyPair>();

function keyPair(format: PrivateKeyFormat): KeyPair {
  let pair = cache.get(format);
  if (!pair) {
    const generated = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: format, format: "pem" },
    });
    pair = { privateKey: generated.privateKey, publicKey: generated.publicKey };
    cache.set(format, pair);
  }
  return pair;
}

/** A PEM RSA private key (2048 bit), cached per process. Default PKCS#1, like GitHub's. */
export function testPrivateKey(format: PrivateKeyFormat = "pkcs1"): string {
  return keyPair(format).privateKey;
}

/** The SPKI PEM public key matching `testPrivateKey(format)` (to verify app JWTs in tests). */
export function testPublicKey(format: PrivateKeyFormat = "pkcs1"): string {
  return keyPair(format).publicKey;
}
