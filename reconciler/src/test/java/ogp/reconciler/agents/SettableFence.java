package ogp.reconciler.agents;

/** A {@link CommandFence} a test moves by hand, as a replica's leadership would. */
final class SettableFence implements CommandFence {
  volatile long epoch;
  volatile boolean mayCommand;

  SettableFence(long epoch, boolean mayCommand) {
    this.epoch = epoch;
    this.mayCommand = mayCommand;
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public boolean mayCommand() {
    return mayCommand;
  }
}
