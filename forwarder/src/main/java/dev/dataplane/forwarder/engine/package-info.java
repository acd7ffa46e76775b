/** The forward modes, testpmd's manner: io, mac, macswap engines, each processing one burst in place. */
package dev.dataplane.forwarder.engine;
