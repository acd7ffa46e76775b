/** The rules language: the parser, and the rules, rule sets, prefixes, rewrites and verdicts it produces. */
package dev.dataplane.forwarder.rules.lang;
