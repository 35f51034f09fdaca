// A dashboard panel's server side: one small module that reads one documented data source (run folders, backtest
// reports, later the registry and the live loop) and answers three questions. The server maps them to
//   GET /api/<name>          → list()
//   GET /api/<name>/<id...>  → get(id)
//   ws {op:'subscribe', source:<name>, id} → watch(id, push), when the source changes while it is looked at.
// Adding a panel is adding a module to sources/ and its view to static/ (docs/dashboard.md).

export type Push = (message: Record<string, unknown>) => void;

export interface DataSource {
  /** URL segment and ws source name, e.g. 'runs'. */
  readonly name: string;
  /** What the source reads (shown by /api/panels and in docs). */
  readonly reads: string;
  list(): unknown;
  /** One item by id; throws DashboardError(404) when there is none. */
  get(id: string): unknown;
  /** Pushes changes of item `id` until the returned function is called. */
  watch?(id: string, push: Push): () => void;
}
