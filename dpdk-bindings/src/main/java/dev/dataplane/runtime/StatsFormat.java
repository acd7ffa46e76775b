package dev.dataplane.runtime;

/** How periodic statistics and the summary are printed. */
public enum StatsFormat
{
    /** A table for people. */
    TEXT,
    /** One JSON object per line, for scripts; the last one has "type":"summary". */
    JSON
}
