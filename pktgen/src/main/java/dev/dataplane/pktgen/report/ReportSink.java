package dev.dataplane.pktgen.report;

import java.io.PrintStream;

/** Where pktgen's report goes: tables for people ({@link TextReport}) or JSON lines ({@link JsonReport}). */
public interface ReportSink
{
    static ReportSink of(final boolean json, final PrintStream out)
    {
        return json ? new JsonReport(out) : new TextReport(out);
    }

    void start(Figures.Start start);

    void period(Figures.Period period);

    void summary(Figures.Summary summary);
}
