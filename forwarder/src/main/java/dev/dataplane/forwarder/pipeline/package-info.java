/**
 * The pipeline run mode: per RX queue a Disruptor ring of bursts, an RX stage that publishes into it, a rules stage
 * and a TX stage that consume it, on lcores of their own.
 */
package dev.dataplane.forwarder.pipeline;
