package ogp.reconciler.desired;

/** Docker's restart policies, spelled as in YAML. */
public enum RestartPolicy {
  NO("no"),
  ON_FAILURE("on-failure"),
  ALWAYS("always"),
  UNLESS_STOPPED("unless-stopped");

  private final String yaml;

  RestartPolicy(String yaml) {
    this.yaml = yaml;
  }

  public String yaml() {
    return yaml;
  }
}
