// Downloads an authenticated file (exports): fetch with the token, then hand
// the browser a blob under the server's file name.
import { api, toApiError } from "./api/client";

export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await fetch(path, { headers: api.token ? { authorization: `Bearer ${api.token}` } : {} });
  if (!res.ok) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    throw toApiError(res.status, body);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "external";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
