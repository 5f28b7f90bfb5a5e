package ogp.cli;

import java.util.List;

/**
 * An endpoint of the JSON API as the hostile-input tests see it. {@link #ALL} is the list the
 * fuzzing in {@link ApiFuzzProperties} walks: add every new endpoint here (with {@code {app}} where
 * it takes an app name) and it is fuzzed with any body, content type and path parameter.
 *
 * @param method {@code GET} or {@code POST}
 * @param path the path, {@code {app}} standing for an app name
 */
record ApiEndpoint(String method, String path) {
  static final List<ApiEndpoint> ALL =
      List.of(
          new ApiEndpoint("POST", "/api/v1/refresh"),
          new ApiEndpoint("POST", "/api/v1/revision/confirm"),
          new ApiEndpoint("GET", "/api/v1/revision"),
          new ApiEndpoint("GET", "/api/v1/apps"),
          new ApiEndpoint("GET", "/api/v1/apps/{app}"),
          new ApiEndpoint("GET", "/api/v1/hosts"));

  /** The path with {@code {app}} replaced by an already URL-encoded segment. */
  String with(String encodedApp) {
    return path.replace("{app}", encodedApp);
  }
}
