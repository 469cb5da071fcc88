/**
 * A path parameter or query string ajv refused, in words a user can act on: the parameter's
 * name, what it must be (from its schema: the `description` of a pattern, the bounds of a
 * number) and what was sent, e.g. `address must be 64 lowercase hexadecimal characters (an
 * address: an Ed25519 public key), not "bob"`.
 */

/** The part of an ajv error this reads (ajv runs with `verbose`, so `parentSchema` and `data` are there). */
export interface AjvIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: { description?: unknown; pattern?: unknown };
  data?: unknown;
}

const WHERE: Record<string, string> = { params: "in the URL path", querystring: "in the query string" };

function shown(data: unknown): string {
  const s = typeof data === "string" ? data : JSON.stringify(data);
  const cut = s !== undefined && s.length > 80 ? `${s.slice(0, 80)}…` : s;
  return JSON.stringify(cut ?? "");
}

/** What the schema asks for, in words. */
function expected(issue: AjvIssue): string | undefined {
  const p = issue.params;
  switch (issue.keyword) {
    case "pattern": {
      const d = issue.parentSchema?.description;
      return typeof d === "string" ? d : `text matching ${String(p.pattern)}`;
    }
    case "type":
      return p.type === "integer" ? "a whole number" : p.type === "number" ? "a number" : `a ${String(p.type)}`;
    case "minimum":
      return `at least ${String(p.limit)}`;
    case "maximum":
      return `at most ${String(p.limit)}`;
    case "exclusiveMinimum":
      return `more than ${String(p.limit)}`;
    case "exclusiveMaximum":
      return `less than ${String(p.limit)}`;
    case "maxLength":
      return `at most ${String(p.limit)} characters long`;
    case "minLength":
      return `at least ${String(p.limit)} characters long`;
    case "enum":
      return `one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return undefined;
  }
}

/** The message for the first issue ajv found in `context` (params or querystring). */
export function validationMessage(context: string | undefined, issues: readonly AjvIssue[]): string {
  const issue = issues[0];
  const where = WHERE[context ?? ""] ?? "in the request";
  if (issue === undefined) return `the request is not valid ${where}`;
  if (issue.keyword === "required") return `${String(issue.params.missingProperty)} is missing ${where}`;
  if (issue.keyword === "additionalProperties") return `${String(issue.params.additionalProperty)} is not a parameter of this route`;
  const name = issue.instancePath.replace(/^\//, "").replace(/\//g, ".") || "the value";
  const want = expected(issue);
  if (want === undefined) return `${name} ${where} ${issue.message ?? "is not valid"}, not ${shown(issue.data)}`;
  const numeric = /imum$/.test(issue.keyword) && /^-?[0-9.e+]+$/i.test(String(issue.data));
  return `${name} must be ${want}, not ${numeric ? String(issue.data) : shown(issue.data)}`;
}
