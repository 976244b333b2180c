// The project the admin pages are about, with the lists several pages need
// (contributor types, pipelines). Loaded once per project and refreshed on
// demand. Pages call these at start (not in effects): they are remounted per path.
import { api } from "../api/client";
import { allPages } from "../resource.svelte";
import type { ContributorType, Page, Pipeline, Project } from "../api/types";

class ProjectStore {
  id = $state<string | null>(null);
  project = $state<Project | null>(null);
  types = $state<ContributorType[] | null>(null);
  pipelines = $state<Pipeline[] | null>(null);
  error = $state<string | null>(null);

  /** Makes projectId current; keeps what is loaded when it already is. */
  open(projectId: string) {
    if (this.id === projectId) return;
    this.id = projectId;
    this.project = null;
    this.types = null;
    this.pipelines = null;
    this.error = null;
    void this.reload();
  }

  async reload() {
    const id = this.id;
    if (!id) return;
    try {
      const p = await api.get<Project>(`/api/projects/${id}`);
      if (this.id === id) this.project = p;
    } catch (err) {
      if (this.id === id) this.error = (err as Error).message;
    }
  }

  async loadTypes(id: string, force = false): Promise<ContributorType[]> {
    this.open(id);
    if (this.types && !force) return this.types;
    const all = await allPages<ContributorType>((cursor) => api.get<Page<ContributorType>>(`/api/projects/${id}/contributor-types`, { limit: 200, cursor }));
    if (this.id === id) this.types = all;
    return all;
  }

  async loadPipelines(id: string, force = false): Promise<Pipeline[]> {
    this.open(id);
    if (this.pipelines && !force) return this.pipelines;
    const all: Pipeline[] = [];
    let cursor: string | null | undefined;
    do {
      const r: Page<Pipeline> = await api.get(`/api/projects/${id}/pipelines`, { limit: 200, cursor: cursor ?? undefined });
      all.push(...r.items);
      cursor = r.nextCursor;
    } while (cursor);
    if (this.id === id) this.pipelines = all;
    return all;
  }

  set(p: Project) {
    if (p.id === this.id) this.project = p;
  }
}

export const currentProject = new ProjectStore();
