/** The echo example: a server that says which allocation answered and burns CPU on request, and its client. */
package gantry.examples.echo;
