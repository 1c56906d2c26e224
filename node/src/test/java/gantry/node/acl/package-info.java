/** Tests of the pure ACL core: the policy parser, the authorizer and secrets. */
package gantry.node.acl;
