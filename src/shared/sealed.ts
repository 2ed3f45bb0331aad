/** Ciphertext of one secret: `v1.<keyId>.<iv>.<ciphertext>.<tag>`. Only `vault/` turns it into plain text. */
export type Sealed = string & { readonly __sealed: unique symbol };
