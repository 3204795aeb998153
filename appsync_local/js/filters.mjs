// util.transform.toSubscriptionFilter: converts the Amplify-style filter object
// ({field: {op: value}, and: [...], or: [...]}) into AppSync's enhanced-filter shape
// {filterGroup: [{filters: [{fieldName, operator, value}]}]} where filters in a group are ANDed and
// groups are ORed. Every operator of a field, every member of an `or` and every rule is an
// alternative, so the groups multiply out (disjunctive normal form). Operators are carried through
// unvalidated; limits (5 fields, `in` <= 5 values, ...) are enforced where the filter is used, when
// the subscription starts.

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// Each "alternatives" value is a list of filter lists; crossing two of them ANDs every pair.
function cross(left, right) {
  const out = [];
  for (const a of left) for (const b of right) out.push([...a, ...b]);
  return out;
}

function expand(obj, ignored) {
  let groups = [[]];
  for (const [key, value] of Object.entries(obj)) {
    if (ignored.has(key)) continue;
    if (key === 'and' && Array.isArray(value)) {
      for (const member of value) {
        if (isPlainObject(member)) groups = cross(groups, expand(member, ignored));
      }
    } else if (key === 'or' && Array.isArray(value)) {
      const alternatives = value.filter(isPlainObject).flatMap((member) => expand(member, ignored));
      if (alternatives.length) groups = cross(groups, alternatives);
    } else if (isPlainObject(value)) {
      const alternatives = fieldAlternatives(key, value);
      if (alternatives.length) groups = cross(groups, alternatives);
    }
  }
  return groups;
}

function fieldAlternatives(fieldName, ops) {
  return Object.entries(ops).map(([operator, value]) => [{ fieldName, operator, value }]);
}

export function toSubscriptionFilter(obj, ignoredFields, rules) {
  if (!isPlainObject(obj)) return null;
  const ignored = new Set(Array.isArray(ignoredFields) ? ignoredFields : []);
  let groups = expand(obj, ignored);
  if (isPlainObject(rules)) {
    // "at least one of the rules will be satisfied": each rule is an alternative for every group.
    const alternatives = Object.entries(rules)
      .filter(([, ops]) => isPlainObject(ops))
      .flatMap(([field, ops]) => fieldAlternatives(field, ops));
    if (alternatives.length) groups = cross(groups, alternatives);
  }
  return { filterGroup: groups.filter((g) => g.length > 0).map((filters) => ({ filters })) };
}
