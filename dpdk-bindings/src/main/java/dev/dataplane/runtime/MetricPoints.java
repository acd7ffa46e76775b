package dev.dataplane.runtime;

import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

/** The data points both tools' Prometheus collectors make: a value and its labels (name, value, name, value...). */
public final class MetricPoints
{
    private MetricPoints()
    {
    }

    public static CounterDataPointSnapshot counter(final long value, final String... labels)
    {
        return CounterDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }

    public static GaugeDataPointSnapshot gauge(final double value, final String... labels)
    {
        return GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }
}
