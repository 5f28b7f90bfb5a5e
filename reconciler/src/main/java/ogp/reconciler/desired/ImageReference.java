package ogp.reconciler.desired;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks the {@code image} of an app: a Docker image repository without tag or digest, e.g. {@code
 * busybox}, {@code ghcr.io/org/x}, {@code 127.0.0.1:5000/demo/web}. The tag lives in {@code
 * version} alone, so a deploy changes exactly one field; a tag in {@code image} is refused with a
 * message saying so. Follows the grammar of Docker's reference package: the first component is a
 * registry host when it has a dot or a port or is {@code localhost}.
 */
final class ImageReference {
  private static final Pattern HOST =
      Pattern.compile(
          "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
              + "(?::[0-9]{1,5})?");
  private static final Pattern PATH_COMPONENT =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final int MAX_LENGTH = 255;

  private ImageReference() {}

  /** Empty when {@code image} is a valid repository, else what is wrong with it. */
  static Optional<String> problem(String image) {
    String quoted = NodeValues.quote(image);
    int at = image.indexOf('@');
    if (at >= 0) {
      return Optional.of(
          quoted
              + " has a digest; give the repository only (image: "
              + image.substring(0, at)
              + ") and the tag in version");
    }
    int lastSlash = image.lastIndexOf('/');
    int colon = image.indexOf(':', lastSlash + 1);
    if (colon >= 0) {
      return Optional.of(
          quoted
              + " has a tag; give the repository only (image: "
              + image.substring(0, colon)
              + ") and the tag in version (version: \""
              + image.substring(colon + 1)
              + "\")");
    }
    if (image.length() > MAX_LENGTH || !wellFormed(image)) {
      return Optional.of(
          quoted
              + " is not a valid image repository (expected e.g. busybox,"
              + " ghcr.io/org/app or 127.0.0.1:5000/team/app, lowercase, without tag)");
    }
    return Optional.empty();
  }

  private static boolean wellFormed(String image) {
    String[] components = image.split("/", -1);
    int first = 0;
    if (components.length > 1 && isRegistryHost(components[0])) {
      if (!HOST.matcher(components[0]).matches()) return false;
      first = 1;
    }
    for (int i = first; i < components.length; i++) {
      if (!PATH_COMPONENT.matcher(components[i]).matches()) return false;
    }
    return true;
  }

  private static boolean isRegistryHost(String component) {
    return component.contains(".") || component.contains(":") || component.equals("localhost");
  }
}
