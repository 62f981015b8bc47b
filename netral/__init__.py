"""Netral: the domain core of the ASN political-neutrality training app.

This package never imports streamlit: pages call into it, it knows nothing of pages.
"""

__version__ = "0.1.0"
