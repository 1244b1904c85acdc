/**
 * The one way a secret (a code from an email reply; later anything a worker
 * run must have and nobody may see) reaches a worker run: an Actions secret
 * of the repository, sealed with the repository's public key (libsodium's
 * sealed box, as GitHub's REST guide "Encrypting secrets for the REST API"
 * says), named for the run that reads it (spending/hand-over-name.ts), and
 * deleted once that run completed. The value is never logged, posted or
 * committed; GitHub never gives it back. The App needs `secrets: write`.
 */
import sodium from "libsodium-wrappers";
import type { Octokit, RepoRef } from "./client.js";
import type { SecretText } from "../mission/spending/secret.js";

export interface HandOverTarget {
  octokit: Octokit;
  repo: RepoRef;
}

/** Seal `value` to the repository's public key and store it as the Actions secret `name`. */
export async function handOver(run: HandOverTarget, name: string, value: SecretText): Promise<void> {
  await sodium.ready;
  const { data: key } = await run.octokit.rest.actions.getRepoPublicKey({ ...run.repo });
  const sealed = sodium.crypto_box_seal(sodium.from_string(value.reveal()), sodium.from_base64(key.key, sodium.base64_variants.ORIGINAL));
  await run.octokit.rest.actions.createOrUpdateRepoSecret({
    ...run.repo,
    secret_name: name,
    encrypted_value: sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL),
    key_id: key.key_id,
  });
}

/** Delete the secret (already gone: nothing to do). */
export async function revoke(run: HandOverTarget, name: string): Promise<void> {
  try {
    await run.octokit.rest.actions.deleteRepoSecret({ ...run.repo, secret_name: name });
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
}
