/** Pure checkers over a finished history: linearizability, lost writes, equal state digests. */
package gantry.chaos.checker;
