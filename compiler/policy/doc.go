// Package policy is podc's CUE policy engine. It loads a bundle of CUE
// files (the embedded default in package policies, or a platform team's
// directory), evaluates its intent rules (constraints and defaults) before
// compile and its manifest rules after, and reports every violation with
// its rule id, severity and field paths.
//
// # One rule, from bundle to decision
//
// Take restricted.image-pinned, a per-container intent rule:
//
//	rules: "restricted.image-pinned": {
//		profiles: ["restricted"], severity: "deny", each: "container", stage: "intent", ...
//		violations: [if !container.pinned {field: "\(container.path).image", message: "..."}]
//	}
//
// Loading (load.go). Load parses the bundle's files with podc's prelude
// (prelude.cue: the input shapes and the rule convention), builds them once
// in a throwaway cue.Context to check them and read each rule's metadata
// (profiles, severity, stage, each, and where it is declared), and makes
// the rule's forms: one for its violations and, when it has defaults, one
// for those. (The embedded bundle loaded with Options.Lazy, as by podc
// compile, skips that build: what it would check and read was computed
// when podc was built, for exactly those files; see facts.go.) A form (form.go) is the bundle trimmed to that rule and that
// list, its metadata and the lets only its other parts read left out, as
// one definition of an evaluation file (forms.go, wrapForms; the files are
// parsed once, at load, and each form holds copies of the declarations it
// keeps):
//
//	#F12: {container: _, pod: _, params: _, rules: "restricted.image-pinned": violations: [...]}
//
// Read analysis (package reads). From the form's syntax, reads.Rule finds
// what the rule reads of its input, {container:{pinned image path}}, and
// reads.Conds what its `if` and `for` clauses read, {container:{pinned}}.
// A rule that refers to a helper or another rule has no read set; it is
// keyed on its whole input (and its form keeps the whole bundle when the
// trimmed one does not compile).
//
// Generations (generation.go). The forms are compiled into one
// cue.Context, a generation, one evaluation file per profile: its forms
// and the exception forms of its rules, beside the profiles, parameters
// and prelude definitions they refer to. A profile's file is compiled at
// load, or with Options.Lazy on the profile's first use in the generation
// (podc compile compiles only the profile it evaluates). The first compile
// of a form settles it: whether its trimmed form compiles or it keeps the
// whole bundle, and what it reads; a form that compiles in no way is left
// out and faults under its rule. A cue.Context keeps everything compiled
// into it, so after Options.EvalsPerGeneration evaluations the profiles
// the generation has compiled are compiled into a fresh context in the
// background and the old one is dropped.
//
// Evaluation (evaluate.go). A request flattens the intent into small JSON
// inputs (input.go, manifests.go): {intent, params} and, per container,
// {container, pod, params}. The manifest inputs carry the intent path of
// each container, Service and Service port as compile's provenance record
// gives it, so a manifest rule's finding names the intent field without
// any matching by name. For each form of the profile and each of its
// inputs, the input is projected onto the form's read set and looked up in
// the outcome cache (cache.go), keyed by the form and that projection; a
// miss also looks up the conds projection, under which inputs on which the
// form produced nothing are remembered. What is left is compiled in one CUE
// source in the generation's scope,
//
//	j0: (#F12 & {"container":{"pinned":false,"image":"nginx","path":"containers[0]"}}).rules
//
// and each job's list is read with LookupPath into findings (or defaults),
// which are cached. This is the only way a rule is evaluated.
//
// Outcomes together. Before the forms of one input are looked up one by
// one, the input is projected onto what all of them read between them
// (profileRules.groupReads, the union of their read and conds sets), and
// that projection is looked up once: an entry there holds every one of
// those forms' outcomes, in the profile's order, made when they were last
// all known. Two inputs that project alike onto the union project alike
// onto each form's set, so each form's outcome is the one it would get on
// its own; a new workload name, which no rule reads, then costs one lookup
// per container and one for the whole intent instead of one per form. The
// entries live in the same outcome cache, under keys no form's key can
// take, and count against its bounds with the outcomes they hold.
//
// Faults. A job whose list cannot be read (an operation on the wrong type,
// a missing field) is the bundle's fault on that input: a finding with
// Fault set under the rule's id and its file:line, counted per rule
// (Faults), and a decision of OutcomeFault. A deny rule's fault refuses the
// intent (the rule fails closed); a warn rule's fault warns. A default that
// does not fit the intent is a fault of its rule too.
//
// Decision (assemble). The findings come out by rule id, then input; each
// rule of the profile gets one decision: pass, warn, deny, fault or
// excepted.
//
// Exceptions (exceptions.go). A rule with an exception field in the bundle
// also has an exception form, #F<id> trimmed to its exception terms, read
// on the whole intent ({intent, params}) like any form, cached under what
// it reads, but evaluated only for the rules an intent asks to except.
// EvaluateIntent judges the intent's exceptions at Params.Now: first what
// needs no evaluation (the rule exists, is of the profile, may be excepted
// at all, has not expired), then, from the exception forms' verdicts
// (allowed, message) and the terms read at load (requireExpiry, maxDays),
// whether the bundle allows the rest. assemble turns the findings of a
// rule whose exception applies into excepted ones and decides it
// excepted; a refused exception is a denial at the exception, an expired
// one a warning. The judgement (Exceptions) goes to EvaluateManifests for
// the manifest rules, and says until when it holds: the next instant an
// exception expires or comes within maxDays. The time never enters a
// form's input, so the outcome cache holds no time-dependent answer; the
// engine bounds its result cache by that instant.
//
// Before a directory bundle serves, the compiler package evaluates it on its
// smoke set (compiler.CheckBundle: its tests/*.txtar and the example
// intents, under every profile) and refuses it if any rule faults; package
// store swaps bundles on reload and package policytest runs the test cases.
//
// A Bundle is safe for concurrent use: the compiled forms are shared, and
// the generation, the outcome cache and the fault counters are
// synchronized. Everything it keeps between requests is bounded by Options.
package policy
