"""Streamlit helpers of the app: URL state and the Plotly component."""
