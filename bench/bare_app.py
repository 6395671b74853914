"""The baseline of the browser benchmark: a bare Streamlit page with one slider and the text it sets
(first paint: the slider; a slider step: key press to the new text, one round trip)."""

import streamlit as st

value = st.slider("s", 0, 100, 50, key="s")
st.markdown(f"value {value}")
