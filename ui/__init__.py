"""The page, everything that needs Streamlit, by feature:

- the explorer: `sidebar.py` (the settings), `corpus.py` (the word list), `tabs/` (one module per
  tab: Counts, Neural net, MLP, Crossover, Compare, Score, Sample step by step), `models.py` (the models' registry and their cached tables), `runs.py` (the session's runs);
- the lecture: `lecture/` (the steps in three modules, the presentation keys and the theme);
- the classroom: `classroom/` (a class's session, its question kinds one class each, the
  student's page, the projector, the lecturer's console, the live channel), `slide.py` (the
  lecturer's step recorded for followers), `class_stage.*` (a follower's stage, assembled in
  components.py from the same component code the lecturer's page runs);
- shared: `params.py` (each setting declared once), `state.py` (the Settings, the URL, values
  kept across tabs), `page.py` (what every tab gets), `components.py` (the custom components, each
  with its JS and CSS beside it: plotly_view, heatmap_view, smoothing_view, nll_view,
  count_controls, live.js for their shared arithmetic), `boundary.py` (each tab's error edge),
  `text.py` (user text shown literally).
"""
