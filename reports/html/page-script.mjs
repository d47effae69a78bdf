// The HTML report's own script, inlined by reports/html/page.ts after the library bundles
// (vega, vega-lite, vega-embed, mermaid). A classic script for the browser, not a module:
// no import or export. It draws the timelines of the scenarios open at load, and each
// other one when its section is opened, with vega-embed; listens for clicks on violation
// markers through vega's view API and shows the clause, what was seen, the trace excerpt
// and a link to REPRO.md in the scenario's details panel; and draws each machine's
// coverage diagram with mermaid once the coverage section comes near the screen.
// Everything it writes into the page from the data goes through textContent, never
// innerHTML; the diagrams' SVG is mermaid's output, sanitised by mermaid (securityLevel
// 'strict').
//
// It marks its progress on the root element for readers and tests: data-timelines and
// data-diagrams become 'ready' (or 'error', with the message in data-error), and
// data-timelines-ms and data-diagrams-ms say when, in ms since navigation began.
(function () {
  'use strict';
  var root = document.documentElement;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var views = new Map();

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fail(what, error) {
    var message = what + ': ' + (error && error.message ? error.message : String(error));
    root.dataset.error = (root.dataset.error ? root.dataset.error + '\n' : '') + message;
    if (window.console) console.error(message);
    return message;
  }

  function showViolation(scenarioIndex, violationIndex) {
    var scenario = data.scenarios[scenarioIndex];
    var violation = scenario && scenario.violations[violationIndex];
    var panel = document.getElementById('violation-details-' + scenarioIndex);
    if (!violation || !panel) return;
    panel.replaceChildren();
    var heading = element('h3', '', violation.clauseId + ' violated');
    heading.dataset.testid = 'violation-clause';
    panel.append(heading);
    if (violation.must) panel.append(element('p', 'must', violation.must));
    panel.append(element('p', 'message', violation.message));
    var where = [violation.seq === null ? 'about the whole trace' : 'at seq ' + violation.seq, 'at ' + violation.atMs.toFixed(1) + ' ms'];
    if (violation.entity) where.push('entity ' + violation.entity);
    panel.append(element('p', 'muted', where.join(', ')));
    if (violation.excerpt) {
      panel.append(element('p', '', 'Trace excerpt (as in REPRO.md; the violation\u2019s line is highlighted):'));
      var pre = element('pre', 'excerpt');
      violation.excerpt.forEach(function (line) {
        var isHit = violation.seq !== null && line.indexOf('{"seq":' + violation.seq + ',') === 0;
        pre.append(element('span', isHit ? 'hit' : '', line + '\n'));
      });
      panel.append(pre);
    } else {
      panel.append(element('p', 'muted', 'No excerpt kept for this violation; see REPRO.md and the trace file.'));
    }
    var repro = element('p', '');
    if (scenario.reproLink) {
      var link = element('a', '', 'REPRO.md of this scenario');
      link.href = scenario.reproLink;
      repro.append(link, document.createTextNode(' (also below, under REPRO.md)'));
    } else {
      repro.textContent = 'The REPRO.md text is below, under REPRO.md.';
    }
    panel.append(repro);
    panel.dataset.clause = violation.clauseId;
    panel.dataset.violationIndex = String(violation.index);
    panel.hidden = false;
    // A tall timeline can leave the panel below the screen; bring it into view.
    var box = panel.getBoundingClientRect();
    if (box.top > window.innerHeight || box.bottom < 0) panel.scrollIntoView({ block: 'nearest' });
  }

  // Vega draws each violation as one path in the group of the violation layer's mark,
  // in data order; tag them so they can be found without knowing vega's classes.
  function tagMarkers(container, scenario) {
    var paths = container.querySelectorAll('g.' + data.violationMarkClass + ' path');
    paths.forEach(function (path, position) {
      var violation = scenario.violations[position];
      path.setAttribute('data-testid', 'violation-marker');
      if (violation) {
        path.setAttribute('data-clause', violation.clauseId);
        path.setAttribute('data-violation-index', String(violation.index));
      }
    });
  }

  function drawTimeline(index) {
    if (views.has(index)) return views.get(index);
    var scenario = data.scenarios[index];
    var container = document.getElementById('timeline-' + index);
    if (!scenario || !scenario.spec || !container) return Promise.resolve(null);
    var drawn = window
      .vegaEmbed(container, scenario.spec, { renderer: 'svg', actions: false, tooltip: { theme: 'light' }, logLevel: window.vega.Error })
      .then(function (result) {
        var view = result.view;
        view.addEventListener('click', function (event, item) {
          if (item && item.mark && item.mark.name === data.violationMarkClass && item.datum) {
            showViolation(index, item.datum.index);
          }
        });
        tagMarkers(container, scenario);
        // Zooming and panning may redraw the marks as new paths; tag those too. Only
        // added and removed nodes are watched, so tagging (attributes) does not loop.
        var pending = false;
        new MutationObserver(function () {
          if (pending) return;
          pending = true;
          setTimeout(function () {
            pending = false;
            tagMarkers(container, scenario);
          }, 0);
        }).observe(container, { childList: true, subtree: true });
        container.dataset.drawn = 'true';
        return view;
      })
      .catch(function (error) {
        container.textContent = fail('timeline of ' + scenario.name, error);
        return null;
      });
    views.set(index, drawn);
    return drawn;
  }

  document.querySelectorAll('details.scenario-body').forEach(function (details) {
    details.addEventListener('toggle', function () {
      if (details.open) drawTimeline(Number(details.dataset.index));
    });
  });
  document.querySelectorAll('button.show-violation').forEach(function (button) {
    button.addEventListener('click', function () {
      showViolation(Number(button.dataset.scenarioIndex), Number(button.dataset.violationIndex));
    });
  });

  // A task boundary, so that clicks and paints get in between two diagrams.
  function yieldToBrowser() {
    return new Promise(function (resolve) { setTimeout(resolve, 0); });
  }

  function drawDiagrams() {
    if (!data.diagrams) {
      root.dataset.diagrams = 'ready';
      return Promise.resolve();
    }
    if (!window.mermaid) {
      // Kept as text while the page loaded (see page.ts `libraryScript`); an inline script
      // inserted into the document runs at once.
      var bundle = document.getElementById('library-mermaid');
      var script = document.createElement('script');
      script.textContent = bundle ? bundle.textContent : '';
      document.head.append(script);
    }
    if (!window.mermaid) {
      fail('diagrams', new Error('the mermaid bundle did not load'));
      root.dataset.diagrams = 'error';
      return Promise.resolve();
    }
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', flowchart: { useMaxWidth: false } });
    // One at a time: mermaid's render is not reentrant.
    return data.diagrams
      .reduce(function (previous, machine) {
        return previous.then(yieldToBrowser).then(function () {
          var target = document.getElementById('diagram-' + machine.kind);
          return window.mermaid.render('mermaid-' + machine.kind, machine.diagram).then(
            function (rendered) {
              target.innerHTML = rendered.svg;
              target.dataset.drawn = 'true';
            },
            function (error) {
              target.textContent = fail('diagram of ' + machine.kind, error);
            },
          );
        });
      }, Promise.resolve())
      .then(function () {
        root.dataset.diagramsMs = String(Math.round(performance.now()));
        root.dataset.diagrams = root.dataset.error ? 'error' : 'ready';
      });
  }

  var initial = [];
  document.querySelectorAll('details.scenario-body[open]').forEach(function (details) {
    initial.push(drawTimeline(Number(details.dataset.index)));
  });
  Promise.all(initial).then(function () {
    // Milliseconds from the start of navigation to the drawn timelines: the page's open time.
    root.dataset.timelinesMs = String(Math.round(performance.now()));
    root.dataset.timelines = root.dataset.error ? 'error' : 'ready';
    // The diagrams are drawn when the coverage section comes near the screen: running
    // mermaid's bundle (the largest) and laying out a machine take the main thread for a
    // while, which must delay neither the timelines nor a click on a marker.
    var coverage = document.getElementById('coverage');
    if (!data.diagrams || !coverage) {
      drawDiagrams();
    } else if (!('IntersectionObserver' in window)) {
      setTimeout(drawDiagrams, 0);
    } else {
      var observer = new IntersectionObserver(
        function (entries) {
          if (!entries.some(function (entry) { return entry.isIntersecting; })) return;
          observer.disconnect();
          setTimeout(drawDiagrams, 0);
        },
        { rootMargin: '300px' },
      );
      observer.observe(coverage);
    }
  });
})();
