/** Server configuration: defaults, YAML file and flags, validated with field-naming errors. */
package gantry.node.config;
