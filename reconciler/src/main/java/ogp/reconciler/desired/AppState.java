package ogp.reconciler.desired;

/** The desired run state of an app. {@code ABSENT} takes it offline: its containers are removed. */
public enum AppState {
  RUNNING("running"),
  STOPPED("stopped"),
  ABSENT("absent");

  private final String yaml;

  AppState(String yaml) {
    this.yaml = yaml;
  }

  /** The spelling used in YAML files and the API. */
  public String yaml() {
    return yaml;
  }
}
