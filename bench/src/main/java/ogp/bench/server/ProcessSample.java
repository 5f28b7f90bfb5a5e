package ogp.bench.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a Linux process at one instant, from {@code /proc}. CPU is utime
 * + stime (fields 14 and 15 of {@code /proc/<pid>/stat}, in clock ticks of 1/100 s on Linux); RSS
 * is {@code VmRSS} of {@code /proc/<pid>/status}.
 */
public record ProcessSample(long nanoTime, long cpuTicks, long rssBytes) {
  /** Linux's USER_HZ; fixed at 100 on every architecture the JDK runs on. */
  static final long TICKS_PER_SECOND = 100;

  public static ProcessSample of(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name may contain spaces and parentheses: fields are counted after the last ')'.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14, 15
      long rssKb = 0;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
      return new ProcessSample(System.nanoTime(), ticks, rssKb * 1024);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc of process " + pid, e);
    }
  }

  /** Average CPU use between {@code earlier} and this sample, in percent of one core. */
  public double cpuPercentSince(ProcessSample earlier) {
    double cpuSeconds = (cpuTicks - earlier.cpuTicks) / (double) TICKS_PER_SECOND;
    double wallSeconds = (nanoTime - earlier.nanoTime) / 1e9;
    return 100.0 * cpuSeconds / wallSeconds;
  }
}
