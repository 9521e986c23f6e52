package io.stampede.chaos.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control API's routes, each declared once: what the router mounts, the {@code route} tag of
 * the request timer, and the list of paths all come from here.
 *
 * <p>A path is written as in openapi.yaml ({@code /experiments/{id}}); a trailing {@code /*} takes
 * the rest of the path ({@code /runs/*}). The path is also the route's metrics tag, so the tag
 * stays bounded: a path matching no route is tagged {@code other}.
 */
final class RouteTable {
    private static final Pattern PARAM = Pattern.compile("\\{([a-z_]+)}");

    /** Whether the route changes anything, and so needs the bearer token when one is set. */
    enum Access { OPEN, TOKEN }

    record Route(HttpMethod method, String path, Access access, Handler<RoutingContext> handler) {
        static Route get(String path, Handler<RoutingContext> handler) {
            return new Route(HttpMethod.GET, path, Access.OPEN, handler);
        }

        static Route post(String path, Handler<RoutingContext> handler) {
            return new Route(HttpMethod.POST, path, Access.TOKEN, handler);
        }

        static Route delete(String path, Handler<RoutingContext> handler) {
            return new Route(HttpMethod.DELETE, path, Access.TOKEN, handler);
        }

        /** The path in Vert.x's form: {@code /experiments/:id}. */
        String vertxPath() {
            return PARAM.matcher(path).replaceAll(":$1");
        }

        /** What request paths the route's tag stands for (an optional trailing slash included). */
        Pattern pattern() {
            String p = path.endsWith("/*") ? path.substring(0, path.length() - 2) : path;
            StringBuilder re = new StringBuilder();
            Matcher m = PARAM.matcher(p);
            int last = 0;
            while (m.find()) {
                re.append(Pattern.quote(p.substring(last, m.start()))).append("[^/]+");
                last = m.end();
            }
            re.append(Pattern.quote(p.substring(last)));
            re.append(path.endsWith("/*") ? "(/.*)?" : "/?");
            return Pattern.compile(re.toString());
        }
    }

    private final List<Route> routes;
    private final List<Pattern> patterns;

    RouteTable(List<Route> routes) {
        this.routes = List.copyOf(routes);
        this.patterns = this.routes.stream().map(Route::pattern).toList();
    }

    /** Mounts every route in declaration order, the token check in front of the {@link Access#TOKEN} ones. */
    void mount(Router router, Guard guard) {
        for (Route r : routes) {
            io.vertx.ext.web.Route route = router.route(r.method(), r.vertxPath());
            if (r.access() == Access.TOKEN) {
                route.handler(guard::authorize);
            }
            route.handler(r.handler());
        }
    }

    /** The metrics tag of a request path: the path of the first route it matches, else {@code other}. */
    String tag(String path) {
        if (path != null) {
            for (int i = 0; i < routes.size(); i++) {
                if (patterns.get(i).matcher(path).matches()) {
                    return routes.get(i).path();
                }
            }
        }
        return "other";
    }

    /** Every declared path, once (the set of route tags besides {@code other}). */
    Set<String> paths() {
        Set<String> out = new LinkedHashSet<>();
        routes.forEach(r -> out.add(r.path()));
        return Set.copyOf(out);
    }
}
