// Which methods the app's routes accept for a path: a request for a path that exists with another
// method gets 405 and an Allow header (RFC 9110 15.5.6) instead of a 404 saying it does not exist.
// Express has no such table; it is read from the router's own layers, which are the routes.

interface RouteLike {
  methods: Record<string, boolean>;
}
interface LayerLike {
  match(path: string): false | { path: string };
  route?: RouteLike;
  handle?: { stack?: LayerLike[] };
}

/** The methods some route accepts for `path` (upper case, HEAD with GET), empty when none matches. */
export function allowedMethods(stack: LayerLike[] | undefined, path: string): Set<string> {
  const allowed = new Set<string>();
  collect(stack ?? [], path, allowed, 0);
  return allowed;
}

function collect(stack: LayerLike[], path: string, allowed: Set<string>, depth: number): void {
  if (depth > 8) return; // mounted routers nest a few levels at most
  for (const layer of stack) {
    const m = layer.match(path);
    if (!m) continue;
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods)) {
        if (method === "_all") continue;
        allowed.add(method.toUpperCase());
        if (method === "get") allowed.add("HEAD");
      }
    } else if (layer.handle?.stack) {
      // A mounted router sees the path without its mount point.
      collect(layer.handle.stack, path.slice(m.path.length) || "/", allowed, depth + 1);
    }
  }
}
