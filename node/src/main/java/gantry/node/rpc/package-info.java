/** Thin gRPC services over the control layer. */
package gantry.node.rpc;
