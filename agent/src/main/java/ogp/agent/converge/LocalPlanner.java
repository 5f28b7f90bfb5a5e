package ogp.agent.converge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import ogp.agent.converge.Action.CreateContainer;
import ogp.agent.converge.Action.PullImage;
import ogp.agent.converge.Action.RemoveContainer;
import ogp.agent.converge.Action.StartContainer;
import ogp.agent.converge.Action.StopContainer;
import ogp.agent.runtime.ContainerKey;
import ogp.agent.runtime.ImageReference;
import ogp.agent.runtime.ManagedContainer;
import ogp.protocol.SpecHash;
import ogp.protocol.v1.ContainerSpec;

/**
 * Compares the desired containers of this host with the managed containers Docker reports and says
 * what to do, in order. Pure and deterministic: no I/O, the same inputs give the same plan.
 *
 * <p>Rules, per key (app + instance):
 *
 * <ul>
 *   <li>A container with the desired spec hash is kept as it is (adoption: no restart). It is
 *       started if it should run and is stopped or created (drift repair), stopped if the spec says
 *       STOPPED and it runs.
 *   <li>Otherwise the new image is pulled first when missing, then the old containers are stopped
 *       and removed, then the new one is created; the converger skips the rest of a key after a
 *       failed action, so a failed pull leaves the old container running.
 *   <li>Further containers of a key are duplicates and are removed.
 *   <li>Managed containers whose key is not desired are stopped and removed, before anything else,
 *       so the ports and names they hold are free for the new ones.
 * </ul>
 *
 * A dead container never counts as the one to keep: Docker cannot start it again.
 */
public final class LocalPlanner {
  private LocalPlanner() {}

  /** Keep the running copy, then the newest-looking id order, so duplicates are removed stably. */
  private static final Comparator<ManagedContainer> KEEP_FIRST =
      Comparator.comparing((ManagedContainer c) -> !c.isRunning())
          .thenComparing(ManagedContainer::id);

  /**
   * @param desired the assignment's containers; keys must be unique
   * @param observed the managed containers Docker reports
   * @param presentImages the images ("repository:tag") present locally, at least those desired
   */
  public static List<Action> plan(
      List<ContainerSpec> desired, List<ManagedContainer> observed, Set<String> presentImages) {
    Map<ContainerKey, ContainerSpec> wanted = new TreeMap<>();
    for (ContainerSpec spec : desired) {
      if (wanted.put(ContainerKey.of(spec), spec) != null) {
        throw new IllegalArgumentException(
            "the assignment lists " + ContainerKey.of(spec) + " twice");
      }
    }
    Map<ContainerKey, List<ManagedContainer>> seen = new TreeMap<>();
    for (ManagedContainer container : observed) {
      seen.computeIfAbsent(container.key(), k -> new ArrayList<>()).add(container);
    }
    seen.values().forEach(list -> list.sort(KEEP_FIRST));

    List<Action> actions = new ArrayList<>();
    seen.forEach(
        (key, containers) -> {
          if (!wanted.containsKey(key)) {
            containers.forEach(c -> retire(c, actions));
          }
        });
    wanted.forEach(
        (key, spec) ->
            planKey(key, spec, seen.getOrDefault(key, List.of()), presentImages, actions));
    return List.copyOf(actions);
  }

  private static void planKey(
      ContainerKey key,
      ContainerSpec spec,
      List<ManagedContainer> containers,
      Set<String> presentImages,
      List<Action> actions) {
    String hash = hashOf(spec);
    ManagedContainer keeper =
        containers.stream()
            .filter(
                c ->
                    c.specHash().equals(hash)
                        && !c.state().equals("dead")
                        && !c.state().equals("removing"))
            .findFirst()
            .orElse(null);
    if (keeper != null) {
      containers.stream().filter(c -> c != keeper).forEach(c -> retire(c, actions));
      boolean shouldRun = spec.getState() != ContainerSpec.RunState.STOPPED;
      if (shouldRun && !keeper.isRunning()) {
        actions.add(new StartContainer(key, keeper.id()));
      } else if (!shouldRun && keeper.isRunning()) {
        actions.add(new StopContainer(key, keeper.id()));
      }
      return;
    }
    String image = ImageReference.of(spec).toString();
    if (!presentImages.contains(image)) {
      actions.add(new PullImage(key, image));
    }
    containers.forEach(c -> retire(c, actions));
    actions.add(new CreateContainer(key, spec));
  }

  private static void retire(ManagedContainer container, List<Action> actions) {
    if (container.isRunning()) {
      actions.add(new StopContainer(container.key(), container.id()));
    }
    actions.add(new RemoveContainer(container.key(), container.id()));
  }

  /** The spec's hash as sent, or computed when the sender left it empty. */
  static String hashOf(ContainerSpec spec) {
    return spec.getSpecHash().isEmpty() ? SpecHash.of(spec) : spec.getSpecHash();
  }
}
