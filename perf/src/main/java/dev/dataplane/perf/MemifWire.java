package dev.dataplane.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dataplane.dpdk.EalFiles;
import dev.dataplane.dpdk.JvmFlags;

/**
 * Two DPDK processes on this machine joined by two memif ports, as {@code bin/demo} and {@code bin/bench-latency}
 * run them: a middle box (the forwarder, or dpdk-testpmd) as memif server on two sockets, pktgen as their client
 * sending on one and receiving on the other, without hugepages. The middle box's busy lcore runs on CPU 1, pktgen's
 * on CPU 0 ({@link #MIDDLE_LCORES}, {@link #PKTGEN_LCORES}). Each process's output goes to files in a directory of
 * its own under /tmp, removed by {@link #close} with the processes' EAL runtime directories.
 */
final class MemifWire implements AutoCloseable
{
    /** EAL lcores of the middle box: the main lcore on CPU 0, the forwarding one on CPU 1. */
    static final List<String> MIDDLE_LCORES = List.of("-l", "0,1");
    /** EAL lcores of pktgen: the main lcore on CPU 1, the generating and receiving one on CPU 0. */
    static final List<String> PKTGEN_LCORES = List.of("--lcores", "0@1,1@0");

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();

    MemifWire() throws IOException
    {
        this.dir = Files.createTempDirectory(Path.of("/tmp"), "dp-wire-");
    }

    Path dir()
    {
        return dir;
    }

    /**
     * The EAL arguments of one side: its lcores, no hugepages, its file prefix, and memif ports 0 and 1 as
     * {@code role} (server or client) on this wire's sockets, with rings of 16,384 (rsize=14): the middle box's first
     * moments, its code not yet compiled, would otherwise fill a ring of 1,024 and pktgen count what it refused.
     */
    List<String> eal(final List<String> lcores, final String prefix, final String role)
    {
        prefixes.add(prefix);
        final List<String> args = new ArrayList<>(lcores);
        args.addAll(List.of("--no-huge", "--no-pci", "-m", "256", "--file-prefix", prefix));
        for (int port = 0; port < 2; port++)
        {
            args.addAll(List.of("--vdev", "net_memif" + port + ",role=" + role + ",id=0,socket=" +
                dir.resolve(port + ".sock") + ",socket-abstract=no,rsize=14"));
        }
        return args;
    }

    /** Starts a Java tool of this project: {@code main} with {@code eal}, then {@code --} and {@code options}. */
    Process java(final String name, final String main, final List<String> eal, final List<String> options)
        throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command()
            .orElse("java")));
        command.addAll(JvmFlags.production());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        command.addAll(eal);
        command.add("--");
        command.addAll(options);
        return start(name, command);
    }

    /** Starts {@code command}, its output in {@code name}.out and {@code name}.err in {@link #dir}. */
    Process start(final String name, final List<String> command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectOutput(dir.resolve(name + ".out").toFile())
            .redirectError(dir.resolve(name + ".err").toFile()).start();
        processes.add(process);
        return process;
    }

    /** Waits until {@code name}'s output file {@code suffix} holds {@code text}, while it lives (60 s at most). */
    void await(final Process process, final String name, final String suffix, final String text)
        throws IOException, InterruptedException
    {
        final Path file = dir.resolve(name + suffix);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(file).contains(text))
        {
            if (!process.isAlive() || System.nanoTime() > deadline)
            {
                throw new IOException(name + (process.isAlive() ? " did not start within 60 s: " : " exited: ") +
                    Files.readString(dir.resolve(name + ".err")));
            }
            Thread.sleep(50);
        }
    }

    /** Stops every process still running (SIGTERM, then after 20 s SIGKILL), and waits for each. */
    void stopAll()
    {
        processes.stream().filter(Process::isAlive).forEach(Process::destroy);
        for (final Process process : processes)
        {
            try
            {
                if (!process.waitFor(20, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the processes, then removes the directory and their EAL runtime directories. */
    @Override
    public void close()
    {
        stopAll();
        EalFiles.delete(dir);
        for (final String prefix : prefixes)
        {
            EalFiles.removeRuntimeDirectory(prefix);
        }
    }
}
