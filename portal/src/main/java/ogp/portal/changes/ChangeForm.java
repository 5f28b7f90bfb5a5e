package ogp.portal.changes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ogp.reconciler.auth.Permission;

/**
 * Reads a change from the posted form of the app page and writes it back as the hidden fields of
 * the confirm form, so what is confirmed is exactly what was previewed. Kinds are the path segment:
 * {@code deploy} (field {@code version}), {@code place} ({@code hosts}, repeated), {@code offline},
 * {@code online}, {@code rollback} ({@code commit}).
 */
public final class ChangeForm {
  private ChangeForm() {}

  /** A hidden form field. */
  public record Field(String name, String value) {}

  /** The change asked for; {@link ChangeRefusal} 400 for an unknown kind or a missing value. */
  public static ChangeRequest parse(String kind, String app, Map<String, List<String>> form) {
    return switch (kind) {
      case "deploy" -> new ChangeRequest.Deploy(app, required(form, "version"));
      case "place" ->
          new ChangeRequest.Place(
              app,
              form.getOrDefault("hosts", List.of()).stream()
                  .map(String::strip)
                  .filter(h -> !h.isEmpty())
                  .distinct()
                  .toList());
      case "offline" -> new ChangeRequest.Offline(app);
      case "online" -> new ChangeRequest.Online(app);
      case "rollback" -> new ChangeRequest.Rollback(app, required(form, "commit"));
      default -> throw new ChangeRefusal(404, "unknown action '" + kind + "'");
    };
  }

  /** What a change is, for the role it needs. */
  public static Permission permission(ChangeRequest change) {
    if (change instanceof ChangeRequest.Deploy) return Permission.DEPLOY;
    if (change instanceof ChangeRequest.Place) return Permission.PLACE;
    if (change instanceof ChangeRequest.Rollback) return Permission.ROLLBACK;
    return Permission.SET_STATE; // offline, online
  }

  public static String kind(ChangeRequest change) {
    // Java 17 has no pattern switch; the sealed interface keeps this list complete by review.
    if (change instanceof ChangeRequest.Deploy) return "deploy";
    if (change instanceof ChangeRequest.Place) return "place";
    if (change instanceof ChangeRequest.Offline) return "offline";
    if (change instanceof ChangeRequest.Online) return "online";
    return "rollback";
  }

  public static List<Field> fields(ChangeRequest change) {
    List<Field> fields = new ArrayList<>();
    if (change instanceof ChangeRequest.Deploy d) fields.add(new Field("version", d.version()));
    if (change instanceof ChangeRequest.Place p)
      p.hosts().forEach(h -> fields.add(new Field("hosts", h)));
    if (change instanceof ChangeRequest.Rollback r) fields.add(new Field("commit", r.commit()));
    return fields;
  }

  private static String required(Map<String, List<String>> form, String name) {
    List<String> values = form.get(name);
    String value = values == null || values.isEmpty() ? "" : values.get(0).strip();
    if (value.isEmpty()) throw new ChangeRefusal(400, "'" + name + "' is required");
    return value;
  }
}
