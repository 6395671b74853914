"""The page, everything that needs Streamlit, by feature:

- the explorer: `sidebar.py` (the settings), `corpus.py` (the word list), `tabs/` (one module per
  tab: Counts, Neural net, MLP, Crossover, Compare, Score, Sample step by step), `models.py` (the
  models' registry and their cached tables), `runs.py` (the session's runs);
- the lecture: `lecture/` (the steps in three modules, the presentation keys and the theme);
- the classroom: `classroom/` (a class's session, its question kinds one class each, the
  student's page and its stage, the projector, the lecturer's console, the live channel);
  `slide.py` (the lecturer's step recorded for followers: the lecture writes it, the classroom
  draws it);
- the components: `components/` (the custom components, one folder each with its JS and CSS:
  plotly_view, heatmap_view, smoothing_view, nll_view, count_controls; `live.js`, their shared
  arithmetic; `page/`, the page's own style, keys, presence channel and small buttons);
- shared: `params.py` (each setting declared once), `state.py` (the Settings, the URL, values
  kept across tabs), `page.py` (what every tab gets), `boundary.py` (each tab's error edge),
  `text.py` (user text shown literally).
"""
