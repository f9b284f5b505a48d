"""Maps the top-level resources/ folder into the package as `aiuteur_desktop.resources`.

Everything else about the build lives in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["aiuteur_desktop", "aiuteur_desktop.*"]),
        "aiuteur_desktop.resources",
    ],
    package_dir={"aiuteur_desktop.resources": "resources"},
    package_data={"aiuteur_desktop.resources": ["**/*"]},
)
