// Every policy, by resource. A new resource gets a file beside these and a line here.
import { orgPolicy } from "./org";
import { projectPolicy } from "./project";
import { livePolicy } from "./live";
import { notificationPolicy } from "./notification";
import { claimPolicy } from "./claim";
import { accountPolicy } from "./account";

export const policies = {
  org: orgPolicy,
  project: projectPolicy,
  live: livePolicy,
  notification: notificationPolicy,
  claim: claimPolicy,
  account: accountPolicy,
};
