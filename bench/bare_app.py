"""The baseline of the first-paint benchmark: a bare Streamlit page with one slider."""

import streamlit as st

st.slider("s", 0, 100, 50)
