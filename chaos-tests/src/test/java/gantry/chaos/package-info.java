/** The short chaos campaign run by `mvn verify`. */
package gantry.chaos;
