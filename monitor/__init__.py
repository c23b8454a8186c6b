"""capwatch: watch the capital behind the AI APIs you depend on."""

__version__ = "0.1.0"
