/** The control layer: validates user requests and turns them into records or state queries. */
package gantry.node.control;
