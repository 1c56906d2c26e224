/**
 * ACLs as pure values: the policy file parser, what a token may do ({@link gantry.node.acl.Authorization})
 * and how secrets are made and hashed. No I/O and no state: the guard asks, the replicated state stores.
 */
package gantry.node.acl;
