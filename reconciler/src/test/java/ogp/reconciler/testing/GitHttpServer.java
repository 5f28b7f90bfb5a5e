package ogp.reconciler.testing;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceivePack;

/**
 * A real smart-HTTP Git server for tests: JGit's {@link GitServlet} in embedded Jetty on {@code
 * 127.0.0.1} and a free port, behind HTTP basic auth, with push (receive-pack) enabled.
 *
 * <p>Every request that passed authentication is counted by {@link Kind}, so a test can assert what
 * a client did over the wire, e.g. "one ref advertisement and no fetch". Under Git protocol v2
 * (JGit's default) a ref advertisement is a GET plus an {@link Kind#LS_REFS} POST; both are told
 * apart from a real fetch ({@link Kind#UPLOAD_PACK}). Requests refused with 401 are counted
 * separately ({@link #unauthorized()}).
 */
public final class GitHttpServer implements AutoCloseable {

  /** What a Git smart-HTTP request does. */
  public enum Kind {
    /**
     * {@code GET info/refs?service=git-upload-pack}: the ref advertisement before ls-remote or
     * fetch.
     */
    UPLOAD_PACK_ADVERTISEMENT,
    /**
     * {@code POST git-upload-pack} with protocol v2 {@code command=ls-refs}: the rest of a v2 ref
     * advertisement (filtered by ref prefix); transfers no objects.
     */
    LS_REFS,
    /**
     * {@code POST git-upload-pack} that negotiates and transfers objects: a fetch (protocol v0 or
     * v2 {@code command=fetch}).
     */
    UPLOAD_PACK,
    /** {@code GET info/refs?service=git-receive-pack}: the ref advertisement before a push. */
    RECEIVE_PACK_ADVERTISEMENT,
    /** {@code POST git-receive-pack}: a push. */
    RECEIVE_PACK,
    OTHER
  }

  private final Server server;
  private final String username;
  private final String password;
  private final Map<String, Path> repositories = new ConcurrentHashMap<>();
  private final Map<Kind, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final AtomicInteger unauthorized = new AtomicInteger();

  private GitHttpServer(String username, String password) {
    this.username = username;
    this.password = password;
    this.server = new Server();
  }

  /** Starts a server that accepts only {@code username}/{@code password}. */
  public static GitHttpServer start(String username, String password) {
    return start(username, password, 0);
  }

  /**
   * Starts a server on {@code port} (0: any free port), e.g. on the port of a closed one, so a
   * remote can come back at the same URL after an outage.
   */
  public static GitHttpServer start(String username, String password, int port) {
    GitHttpServer git = new GitHttpServer(username, password);
    try {
      git.startServer(port);
    } catch (Exception e) {
      git.close();
      throw new IllegalStateException("Cannot start the test Git HTTP server", e);
    }
    return git;
  }

  /**
   * Serves the repository whose git directory is {@code gitDir} as {@code /<name>}; returns its
   * URL.
   */
  public String serve(String name, Path gitDir) {
    repositories.put(name, gitDir);
    return url(name);
  }

  /** The URL of a served repository, without credentials. */
  public String url(String name) {
    return "http://127.0.0.1:" + port() + "/" + name;
  }

  public int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /**
   * How many authenticated requests of this kind arrived since the start or the last {@link
   * #resetCounts()}.
   */
  public int count(Kind kind) {
    AtomicInteger n = counts.get(kind);
    return n == null ? 0 : n.get();
  }

  /** How many requests were refused with 401 since the start or the last {@link #resetCounts()}. */
  public int unauthorized() {
    return unauthorized.get();
  }

  public void resetCounts() {
    counts.clear();
    unauthorized.set(0);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot stop the test Git HTTP server", e);
    }
  }

  private void startServer(int port) throws Exception {
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);

    GitServlet git = new GitServlet();
    git.setRepositoryResolver((request, name) -> open(name));
    // The default factory only enables push for http.receivepack=true or an authenticated user; be
    // explicit.
    git.setReceivePackFactory(
        (request, repository) -> {
          ReceivePack receive = new ReceivePack(repository);
          receive.setRefLogIdent(
              new PersonIdent(request.getRemoteUser(), request.getRemoteUser() + "@test"));
          return receive;
        });

    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(git), "/*");
    context.addFilter(
        new FilterHolder(new BasicAuthAndCount()), "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
  }

  private Repository open(String name) throws RepositoryNotFoundException {
    Path gitDir = repositories.get(name.replaceAll("^/+|/+$", ""));
    if (gitDir == null) {
      throw new RepositoryNotFoundException(name);
    }
    try {
      // A fresh instance per request sees every commit the test made in between; GitServlet closes
      // it.
      return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
    } catch (IOException e) {
      throw new RepositoryNotFoundException(name, e);
    }
  }

  private static Kind classify(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String service = request.getParameter("service");
    if ("GET".equals(request.getMethod()) && uri.endsWith("/info/refs")) {
      if ("git-upload-pack".equals(service)) {
        return Kind.UPLOAD_PACK_ADVERTISEMENT;
      }
      if ("git-receive-pack".equals(service)) {
        return Kind.RECEIVE_PACK_ADVERTISEMENT;
      }
    }
    if ("POST".equals(request.getMethod()) && uri.endsWith("/git-upload-pack")) {
      return Kind.UPLOAD_PACK;
    }
    if ("POST".equals(request.getMethod()) && uri.endsWith("/git-receive-pack")) {
      return Kind.RECEIVE_PACK;
    }
    return Kind.OTHER;
  }

  /**
   * A request whose body was read into memory so its first pkt-line can be inspected and then
   * replayed.
   */
  private static final class BufferedBody extends HttpServletRequestWrapper {
    private final byte[] body;

    BufferedBody(HttpServletRequest request) throws IOException {
      super(request);
      this.body = request.getInputStream().readAllBytes();
    }

    /** The {@code command=} of a protocol v2 request, or null. */
    String protocolV2Command() throws IOException {
      String protocol = getHeader("Git-Protocol");
      if (protocol == null || !protocol.contains("version=2")) {
        return null;
      }
      InputStream in = new ByteArrayInputStream(body);
      if ("gzip".equalsIgnoreCase(getHeader("Content-Encoding"))) {
        in = new GZIPInputStream(in);
      }
      byte[] head = in.readNBytes(4);
      if (head.length < 4) {
        return null;
      }
      int length = Integer.parseInt(new String(head, StandardCharsets.US_ASCII), 16);
      String line =
          new String(in.readNBytes(Math.max(0, length - 4)), StandardCharsets.UTF_8).strip();
      return line.startsWith("command=") ? line.substring("command=".length()) : null;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("GitServlet reads blocking");
        }
      };
    }
  }

  /**
   * Basic auth with a constant-time compare, then counting; sets the remote user for receive-pack.
   */
  private final class BasicAuthAndCount implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      HttpServletRequest request = (HttpServletRequest) req;
      HttpServletResponse response = (HttpServletResponse) res;
      if (!authorized(request.getHeader("Authorization"))) {
        unauthorized.incrementAndGet();
        response.setHeader("WWW-Authenticate", "Basic realm=\"git\"");
        response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
        return;
      }
      HttpServletRequest authenticated =
          new HttpServletRequestWrapper(request) {
            @Override
            public String getRemoteUser() {
              return username;
            }
          };
      Kind kind = classify(request);
      if (kind == Kind.UPLOAD_PACK) {
        // Protocol v2 sends ls-refs and fetch to the same URL: the command is in the body's first
        // pkt-line.
        BufferedBody body = new BufferedBody(authenticated);
        if ("ls-refs".equals(body.protocolV2Command())) {
          kind = Kind.LS_REFS;
        }
        authenticated = body;
      }
      counts.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
      chain.doFilter(authenticated, response);
    }

    private boolean authorized(String header) {
      if (header == null || !header.startsWith("Basic ")) {
        return false;
      }
      byte[] expected = (username + ":" + password).getBytes(StandardCharsets.UTF_8);
      byte[] given;
      try {
        given = Base64.getDecoder().decode(header.substring("Basic ".length()).trim());
      } catch (IllegalArgumentException e) {
        return false;
      }
      return MessageDigest.isEqual(expected, given);
    }
  }
}
