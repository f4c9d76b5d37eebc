import Mustache

/// The pages' Mustache templates. `{{name}}` escapes HTML (quotes too, so values may stand in
/// attributes); `{{{name}}}` is used only for markup the daemon made itself (a page's body
/// inside the layout, Graphviz's SVG, the chart's SVG).
enum PageTemplates {
    static let layout = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · Hekaton</title>
    <style>
    :root { color-scheme: light; --fg: #1b1b1b; --muted: #4a4a4a; --line: #c8c8c8; --accent: #0b4f8a; --bad: #9b1c1c; --good: #1d6b2a; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: #fff; }
    header, main, footer { padding: 0.75rem 1rem; max-width: 72rem; margin: 0 auto; }
    header { border-bottom: 1px solid var(--line); }
    header nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 1rem; }
    a { color: var(--accent); }
    a:focus, button:focus { outline: 3px solid #e0a800; }
    h1 { font-size: 1.5rem; margin: 0.5rem 0; }
    h2 { font-size: 1.2rem; margin-top: 1.5rem; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; min-width: 100%; }
    th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
    pre { background: #f4f4f4; border: 1px solid var(--line); padding: 0.5rem; overflow-x: auto; max-height: 30rem; white-space: pre-wrap; word-break: break-all; }
    .failed, .error { color: var(--bad); }
    .scored, .succeeded { color: var(--good); }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
    dt { font-weight: 600; }
    dd { margin: 0; }
    footer { color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--line); }
    svg { max-width: 100%; height: auto; }
    </style>
    </head>
    <body>
    <header>
    <nav aria-label="Main">
    <ul>
    <li><a href="/ui/">Competitions</a></li>
    <li><a href="/ui/submissions">My submissions</a></li>
    {{#isHost}}<li><a href="/ui/status">Dashboard</a></li>{{/isHost}}
    </ul>
    </nav>
    </header>
    <main id="main">
    {{{body}}}
    </main>
    <footer><p>hekatond {{version}} · signed in as {{user}}{{#isHost}} (host){{/isHost}}</p></footer>
    </body>
    </html>
    """

    static let competitions = """
    <h1>Competitions</h1>
    {{#empty}}<p>No competition is published yet.</p>{{/empty}}
    {{^empty}}
    <div class="scroll"><table>
    <caption>Published competitions</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Phase</th><th scope="col">Metric</th><th scope="col" class="num">Versions</th><th scope="col">Closes</th><th scope="col">Description</th></tr></thead>
    <tbody>
    {{#rows}}<tr><td><a href="/ui/competitions/{{link}}">{{name}}</a></td><td>{{phase}}</td><td>{{metric}} ({{direction}})</td><td class="num">{{versions}}</td><td>{{closes}}</td><td>{{description}}</td></tr>
    {{/rows}}
    </tbody>
    </table></div>
    {{/empty}}
    """

    static let competition = """
    <h1>{{name}}</h1>
    <p>{{description}}</p>
    <section aria-labelledby="rules">
    <h2 id="rules">Rules</h2>
    <dl>
    <dt>Phase</dt><dd>{{phase}}</dd>
    <dt>Metric</dt><dd>{{metric}} ({{direction}})</dd>
    <dt>Dataset</dt><dd>{{dataset}}</dd>
    <dt>Submissions per day</dt><dd>{{perDay}}</dd>
    <dt>Largest bundle</dt><dd>{{maxBundle}} bytes</dd>
    {{#opens}}<dt>Opens</dt><dd>{{opens}}</dd>{{/opens}}
    {{#closes}}<dt>Closes</dt><dd>{{closes}}</dd>{{/closes}}
    <dt>Published</dt><dd>{{published}} (version {{tag}}, {{versions}} in all)</dd>
    </dl>
    {{#isHost}}<p><a href="/ui/competitions/{{link}}/history">Production's history, rounds and promotions</a></p>{{/isHost}}
    </section>
    {{#boards}}
    <section aria-labelledby="board-{{id}}">
    <h2 id="board-{{id}}">{{title}}</h2>
    {{#empty}}<p>No scored entry yet.</p>{{/empty}}
    {{^empty}}
    <div class="scroll"><table id="leaderboard-{{id}}" data-board="{{id}}">
    <caption>{{title}}, {{metric}} ({{direction}})</caption>
    <thead><tr><th scope="col" class="num">Rank</th><th scope="col">Participant</th><th scope="col">Tag</th><th scope="col" class="num">Score</th><th scope="col">Submitted</th></tr></thead>
    <tbody>
    {{#entries}}<tr data-submission="{{submission}}"><td class="num">{{rank}}</td><td>{{participant}}{{#team}} ({{team}}){{/team}}</td><td>{{#link}}<a href="/ui/submissions/{{submission}}">{{/link}}{{tag}}{{#link}}</a>{{/link}}</td><td class="num score">{{score}}</td><td>{{submittedAt}}</td></tr>
    {{/entries}}
    </tbody>
    </table></div>
    {{/empty}}
    </section>
    {{/boards}}
    {{#hiddenPrivate}}<p>The private leaderboard is shown once the competition closes.</p>{{/hiddenPrivate}}
    <section aria-labelledby="versions">
    <h2 id="versions">Dataset versions</h2>
    {{^datasetVersions}}<p>No version of {{dataset}} is registered.</p>{{/datasetVersions}}
    <div class="scroll"><table>
    <caption>The latest versions of {{dataset}} (at most {{versionLimit}})</caption>
    <thead><tr><th scope="col">Tag</th><th scope="col">Registered</th><th scope="col" class="num">Files</th><th scope="col" class="num">Bytes</th></tr></thead>
    <tbody>
    {{#datasetVersions}}<tr><td>{{tag}}</td><td>{{createdAt}}</td><td class="num">{{fileCount}}</td><td class="num">{{size}}</td></tr>
    {{/datasetVersions}}
    </tbody>
    </table></div>
    </section>
    """

    static let submissions = """
    <h1>{{heading}}</h1>
    {{#empty}}<p>No submission yet. Submit with <code>hekatonctl submit</code>.</p>{{/empty}}
    {{^empty}}
    <div class="scroll"><table>
    <caption>The latest {{limit}} at most, newest first</caption>
    <thead><tr><th scope="col" class="num">Id</th><th scope="col">Competition</th><th scope="col">Participant</th><th scope="col">Tag</th><th scope="col">State</th><th scope="col" class="num">Score</th><th scope="col">Submitted</th><th scope="col" class="num">Took</th></tr></thead>
    <tbody>
    {{#rows}}<tr><td class="num"><a href="/ui/submissions/{{id}}">{{id}}</a></td><td>{{competition}}</td><td>{{participant}}</td><td>{{tag}}</td><td class="{{state}}">{{state}}{{#stage}} ({{stage}}){{/stage}}</td><td class="num">{{score}}</td><td>{{submittedAt}}</td><td class="num">{{took}}</td></tr>
    {{/rows}}
    </tbody>
    </table></div>
    {{/empty}}
    """

    static let submission = """
    <h1>Submission {{id}}</h1>
    <dl>
    <dt>Competition</dt><dd><a href="/ui/competitions/{{competitionLink}}">{{competition}}</a></dd>
    <dt>Participant</dt><dd>{{participant}}</dd>
    {{#tag}}<dt>Tag</dt><dd>{{tag}}</dd>{{/tag}}
    <dt>State</dt><dd class="{{state}}" id="state">{{state}}{{#stage}} ({{stage}}){{/stage}}</dd>
    {{#score}}<dt>Score</dt><dd>{{score}}</dd>{{/score}}
    {{#error}}<dt>Error</dt><dd class="error">{{error}}</dd>{{/error}}
    <dt>Submitted</dt><dd>{{submittedAt}}</dd>
    {{#finishedAt}}<dt>Finished</dt><dd>{{finishedAt}}</dd>{{/finishedAt}}
    {{#datasetVersion}}<dt>Dataset version</dt><dd>{{datasetVersion}}</dd>{{/datasetVersion}}
    {{#reproduction}}<dt>Reproduction</dt><dd>{{reproduction}}</dd>{{/reproduction}}
    <dt>Bundle</dt><dd><code>{{bundleDigest}}</code></dd>
    {{#modelDigest}}<dt>Model</dt><dd><code>{{modelDigest}}</code></dd>{{/modelDigest}}
    </dl>
    <section aria-labelledby="stages">
    <h2 id="stages">Stages</h2>
    <div class="scroll"><table>
    <caption>Each stage's job</caption>
    <thead><tr><th scope="col">Stage</th><th scope="col">State</th><th scope="col">Started</th><th scope="col" class="num">Took</th><th scope="col" class="num">Attempt</th></tr></thead>
    <tbody>
    {{#stages}}<tr><th scope="row">{{name}}</th><td class="{{state}}">{{state}}</td><td>{{started}}</td><td class="num">{{took}}</td><td class="num">{{attempt}}</td></tr>
    {{/stages}}
    </tbody>
    </table></div>
    </section>
    {{#log}}
    <section aria-labelledby="log">
    <h2 id="log">Log of the {{stage}} stage</h2>
    <p id="log-status" aria-live="polite">{{#live}}Running: new lines appear as they are written.{{/live}}{{^live}}The stage has ended; its last lines:{{/live}}</p>
    <pre id="log-tail" data-follow="{{followURL}}" data-live="{{live}}">{{text}}</pre>
    </section>
    {{/log}}
    {{#lineage}}
    <section aria-labelledby="lineage">
    <h2 id="lineage">Lineage</h2>
    <figure>{{{svg}}}<figcaption>What the model was made from; each node links to its page.</figcaption></figure>
    </section>
    {{/lineage}}
    <script>
    (function () {
      var pre = document.getElementById("log-tail");
      if (!pre || pre.dataset.live !== "true" || !window.EventSource) return;
      var keep = 500, source = new EventSource(pre.dataset.follow);
      source.onmessage = function (event) {
        var lines = (pre.textContent + event.data + "\\n").split("\\n");
        if (lines.length > keep) lines = lines.slice(lines.length - keep);
        pre.textContent = lines.join("\\n");
        pre.scrollTop = pre.scrollHeight;
      };
      source.addEventListener("end", function () {
        source.close();
        document.getElementById("log-status").textContent = "The stage has ended.";
      });
    })();
    </script>
    """

    static let status = """
    <h1>Dashboard</h1>
    <section aria-labelledby="attention">
    <h2 id="attention">Needs attention</h2>
    {{^attention}}<p>Nothing needs attention.</p>{{/attention}}
    {{#hasAttention}}
    <div class="scroll"><table>
    <caption>What hekatonctl status lists under needs attention</caption>
    <thead><tr><th scope="col">Kind</th><th scope="col">Subject</th><th scope="col">What</th><th scope="col">When</th></tr></thead>
    <tbody>
    {{#attention}}<tr><td>{{kind}}</td><td>{{subject}}</td><td>{{message}}</td><td>{{at}}</td></tr>
    {{/attention}}
    </tbody>
    </table></div>
    {{/hasAttention}}
    </section>
    <section aria-labelledby="competitions">
    <h2 id="competitions">Competitions</h2>
    <div class="scroll"><table>
    <caption>Champion, production and the last round of each competition</caption>
    <thead><tr><th scope="col">Competition</th><th scope="col">Champion</th><th scope="col">Production</th><th scope="col">Last round</th></tr></thead>
    <tbody>
    {{#competitions}}<tr><td><a href="/ui/competitions/{{link}}">{{name}}</a></td><td>{{champion}}</td><td>{{production}}</td><td>{{round}}</td></tr>
    {{/competitions}}
    </tbody>
    </table></div>
    </section>
    <section aria-labelledby="jobs">
    <h2 id="jobs">Jobs</h2>
    <dl>{{#jobs}}<dt>{{state}}</dt><dd>{{count}}</dd>{{/jobs}}</dl>
    <p>{{schedules}} schedules; up since {{startedAt}}.</p>
    </section>
    """

    static let history = """
    <h1>History of {{competition}}</h1>
    <p>Production's {{metric}} ({{direction}}) on each version of the dataset, as each round measured it.</p>
    <figure id="history-chart">{{{chart}}}
    <figcaption>One point a dataset version ({{count}} in all; hollow: no score measured). ▲ a promotion, ✕ a round that kept production, ▼ a rollback.</figcaption>
    </figure>
    <section aria-labelledby="rounds">
    <h2 id="rounds">Rounds</h2>
    {{^rounds}}<p>No retraining round yet.</p>{{/rounds}}
    <div class="scroll"><table>
    <caption>Each version's retraining rounds, newest first: retrained scores and the decision</caption>
    <thead><tr><th scope="col">Dataset version</th><th scope="col">Round</th><th scope="col">State</th><th scope="col" class="num">Production</th><th scope="col" class="num">Best</th><th scope="col">Retrained scores</th><th scope="col">Decision</th></tr></thead>
    <tbody>
    {{#rounds}}<tr><td>{{version}}</td><td>{{id}}</td><td>{{state}}</td><td class="num">{{production}}</td><td class="num">{{best}}</td><td>{{members}}</td><td>{{decision}}</td></tr>
    {{/rounds}}
    </tbody>
    </table></div>
    </section>
    <section aria-labelledby="artifacts">
    <h2 id="artifacts">Artifacts</h2>
    {{^artifacts}}<p>No artifact has been built yet.</p>{{/artifacts}}
    {{#hasArtifacts}}
    <div class="scroll"><table>
    <caption>Each version's artifact builds, newest first</caption>
    <thead><tr><th scope="col">Dataset version</th><th scope="col">Build</th><th scope="col">State</th><th scope="col">Model</th><th scope="col">Digest</th><th scope="col">Where</th></tr></thead>
    <tbody>
    {{#artifacts}}<tr><td>{{version}}</td><td><a href="{{link}}">{{id}}</a></td><td>{{state}}</td><td>{{#submission}}<a href="/ui/submissions/{{submission}}">{{model}}</a>{{/submission}}</td><td><code>{{digest}}</code></td><td>{{where}}{{#error}} <span class="error">{{error}}</span>{{/error}}</td></tr>
    {{/artifacts}}
    </tbody>
    </table></div>
    {{/hasArtifacts}}
    </section>
    <section aria-labelledby="promotions">
    <h2 id="promotions">Promotions and rollbacks</h2>
    {{^promotions}}<p>Production has not changed yet.</p>{{/promotions}}
    <div class="scroll"><table>
    <caption>Every change of production</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">Model</th><th scope="col">Submission</th><th scope="col" class="num">Score</th><th scope="col">By</th><th scope="col">Why</th></tr></thead>
    <tbody>
    {{#promotions}}<tr><td>{{at}}</td><td>{{kind}}</td><td>{{model}}</td><td><a href="/ui/submissions/{{submission}}">{{submission}}</a></td><td class="num">{{score}}</td><td>{{actor}}</td><td>{{reason}}</td></tr>
    {{/promotions}}
    </tbody>
    </table></div>
    </section>
    """

    static let artifact = """
    <h1>Artifact build {{id}} of <a href="/ui/competitions/{{competitionLink}}">{{competition}}</a></h1>
    <dl>
    <dt>State</dt><dd class="state-{{state}}">{{state}}</dd>
    <dt>Built</dt><dd>{{at}} (job {{job}})</dd>
    <dt>From</dt><dd>{{#submission}}<a href="/ui/submissions/{{submission}}">{{model}} of submission {{submission}}</a>{{/submission}}{{^submission}}{{model}}{{/submission}} on {{datasetVersion}}</dd>
    {{#digest}}<dt>Digest</dt><dd><code>{{digest}}</code></dd>{{/digest}}
    {{#oci}}<dt>Image</dt><dd><code>{{oci}}</code></dd>{{/oci}}
    {{#error}}<dt>Error</dt><dd class="error">{{error}}</dd>{{/error}}
    </dl>
    <section aria-labelledby="files">
    <h2 id="files">Output</h2>
    {{^kept}}<p>Its files are no longer on disk (only the last builds are kept: artifact.keep); its record and lineage stay.</p>{{/kept}}
    {{#kept}}{{^hasFiles}}<p>The build wrote no files.</p>{{/hasFiles}}{{/kept}}
    {{#hasFiles}}
    <div class="scroll"><table>
    <caption>The files of the build's output, to download</caption>
    <thead><tr><th scope="col">File</th><th scope="col" class="num">Size</th></tr></thead>
    <tbody>
    {{#files}}<tr><td><a href="{{link}}" download>{{path}}</a></td><td class="num">{{size}}</td></tr>
    {{/files}}
    </tbody>
    </table></div>
    {{/hasFiles}}
    </section>
    {{#lineage}}
    <section aria-labelledby="lineage">
    <h2 id="lineage">Lineage</h2>
    <figure class="lineage">{{{svg}}}<figcaption>What this build was made from: the model, its code, image and data; each node links to its page.</figcaption></figure>
    </section>
    {{/lineage}}
    """

    static let problem = """
    <h1>{{title}}</h1>
    <p role="alert">{{detail}}</p>
    <p><a href="/ui/">Back to the competitions</a></p>
    """

    static let all: [String: String] = [
        "layout": layout, "competitions": competitions, "competition": competition, "submissions": submissions,
        "submission": submission, "status": status, "history": history, "problem": problem, "artifact": artifact,
    ]

    /// The parsed templates, or why one does not parse (a test renders each).
    static let library: Result<MustacheLibrary, any Error> = Result {
        var library = MustacheLibrary()
        for (name, text) in all { try library.register(text, named: name) }
        return library
    }
}
