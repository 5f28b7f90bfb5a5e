package ogp.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a data dir ({@code <data-dir>/lock}), held while a server runs: a second
 * {@code ogp server} or {@code ogp dev} on the same data dir is refused with one sentence instead
 * of starting a second reconciler (and, in {@code ogp dev}, a second agent for the same host on the
 * same engine). The operating system releases the lock when the process dies, so a killed server
 * leaves nothing to clean up.
 */
final class DataDirLock implements AutoCloseable {
  static final String FILE = "lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DataDirLock acquire(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve(FILE);
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) { // held by this JVM already
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new CommandFailure(
          "another ogp server or ogp dev is already running on the data dir "
              + dataDir.toAbsolutePath()
              + " (it holds "
              + file.toAbsolutePath()
              + "); stop it first, or give this one another --data-dir");
    }
    return new DataDirLock(channel, lock);
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the channel is gone with its lock
    }
  }
}
