"""Streamlit helpers shared by the pages (the imperative shell; the domain lives in `netral/`)."""
